#include "support/jwks_server.hpp"

#include "support/jwks_server_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <future>
#include <stdexcept>

namespace tokengate::test {
namespace detail {

jwks_server::response jwks_server_state::on_request(const std::string& path, jwks_server::request r) {
    const std::lock_guard lock(mutex);
    requests[path].push_back(std::move(r));
    if (const auto it = responses.find(path); it != responses.end()) return it->second;
    jwks_server::response unset;
    unset.status = jwks_server::unset_path_status;
    unset.body = R"({"error":"jwks_server: no response set for )" + path + R"("})";
    return unset;
}

std::shared_ptr<net::ssl::context> jwks_server_state::current_tls_context() const {
    const std::lock_guard lock(mutex);
    return tls_context;
}

void report_exception(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        ADD_FAILURE() << "jwks_server: exception in the event loop: " << x.what();
    } catch (...) {
        ADD_FAILURE() << "jwks_server: unknown exception in the event loop";
    }
}

}  // namespace detail

namespace {

namespace net = detail::net;
using detail::jwks_server_state;
using detail::tcp;

std::shared_ptr<net::ssl::context> make_tls_context(const test_pki::leaf& leaf) {
    auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    context->use_certificate_chain_file(leaf.cert_file.string());
    context->use_private_key_file(leaf.key_file.string(), net::ssl::context::pem);
    return context;
}

// Binds and listens synchronously, so a client may connect as soon as this returns;
// returns the port bound. On failure the server stays down.
std::uint16_t listen(jwks_server_state& s, std::uint16_t port) {
    tcp::acceptor a(s.ioc);
    a.open(tcp::v4());
    // Lets up() rebind the port while connections from before down() sit in TIME_WAIT.
    a.set_option(tcp::acceptor::reuse_address(true));
    a.bind(tcp::endpoint(net::ip::address_v4::loopback(), port));
    a.listen();
    const std::uint16_t bound = a.local_endpoint().port();
    s.acceptor.emplace(std::move(a));
    net::co_spawn(s.ioc, detail::accept_loop(s), detail::report_exception);
    return bound;
}

void close_everything(jwks_server_state& s) {
    ++s.generation;
    boost::system::error_code ignored;  // closing what is already closed is fine
    if (s.acceptor) s.acceptor->close(ignored);
    for (detail::raw_socket* socket : s.open_sockets) socket->close(ignored);
}

// Runs f on the event-loop thread and waits for it; f's exception is rethrown here.
template <class F>
void run_on_loop(jwks_server_state& s, F f) {
    // Shared with the handler: set_value may still be running there when get() returns.
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    net::post(s.ioc, [done, f = std::move(f)] {
        try {
            f();
            done->set_value();
        } catch (...) {
            done->set_exception(std::current_exception());
        }
    });
    finished.get();
}

}  // namespace

jwks_server::jwks_server(options opts) : state_(std::make_unique<jwks_server_state>()) {
    if (opts.tls) {
        state_->tls = true;
        state_->tls_context = make_tls_context(*opts.tls);
    }
    state_->port = listen(*state_, 0);
    state_->thread = std::thread([s = state_.get()] { s->ioc.run(); });
}

jwks_server::jwks_server() : jwks_server(options{}) {}

jwks_server::~jwks_server() {
    try {
        run_on_loop(*state_, [s = state_.get()] { close_everything(*s); });
    } catch (const std::exception& e) {
        ADD_FAILURE() << "jwks_server: stopping: " << e.what();
    }
    // stop() rather than waiting for the loop to drain: a delayed answer's timer may still
    // be pending. The io_context's destructor then frees the suspended coroutines.
    state_->work.reset();
    state_->ioc.stop();
    state_->thread.join();
}

std::uint16_t jwks_server::port() const noexcept { return state_->port; }

bool jwks_server::tls() const noexcept { return state_->tls; }

std::string jwks_server::url(std::string_view path) const {
    return (tls() ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port()) + std::string(path);
}

std::string jwks_server::localhost_url(std::string_view path) const {
    return (tls() ? "https://localhost:" : "http://localhost:") + std::to_string(port()) + std::string(path);
}

void jwks_server::set(const std::string& path, response r) {
    const std::lock_guard lock(state_->mutex);
    state_->responses[path] = std::move(r);
}

void jwks_server::set_jwks(const std::string& path, std::string jwks_json, std::string cache_control) {
    response r;
    r.body = std::move(jwks_json);
    if (!cache_control.empty()) r.headers.emplace_back("Cache-Control", std::move(cache_control));
    set(path, std::move(r));
}

void jwks_server::swap_certificate(const test_pki::leaf& leaf) {
    if (!tls()) throw std::logic_error("jwks_server: swap_certificate on a plain HTTP server");
    auto context = make_tls_context(leaf);
    const std::lock_guard lock(state_->mutex);
    state_->tls_context = std::move(context);
}

void jwks_server::down() {
    run_on_loop(*state_, [s = state_.get()] { close_everything(*s); });
}

void jwks_server::up() {
    run_on_loop(*state_, [s = state_.get()] {
        if (!s->acceptor || !s->acceptor->is_open()) listen(*s, s->port);
    });
}

std::vector<jwks_server::request> jwks_server::requests(const std::string& path) const {
    const std::lock_guard lock(state_->mutex);
    const auto it = state_->requests.find(path);
    return it == state_->requests.end() ? std::vector<request>{} : it->second;
}

std::size_t jwks_server::count(const std::string& path) const {
    const std::lock_guard lock(state_->mutex);
    const auto it = state_->requests.find(path);
    return it == state_->requests.end() ? 0 : it->second.size();
}

std::vector<std::chrono::steady_clock::time_point> jwks_server::request_times(const std::string& path) const {
    std::vector<std::chrono::steady_clock::time_point> out;
    for (const auto& r : requests(path)) out.push_back(r.at);
    return out;
}

std::size_t jwks_server::total_count() const {
    const std::lock_guard lock(state_->mutex);
    std::size_t n = 0;
    for (const auto& [path, list] : state_->requests) n += list.size();
    return n;
}

std::size_t jwks_server::connections() const {
    const std::lock_guard lock(state_->mutex);
    return state_->connections;
}

void jwks_server::reset_counts() {
    const std::lock_guard lock(state_->mutex);
    state_->requests.clear();
    state_->connections = 0;
}

}  // namespace tokengate::test
