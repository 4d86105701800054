#include "tokengate/proxy/server.hpp"

#include "tokengate/admin/admin_server.hpp"
#include "tokengate/config/load.hpp"
#include "tokengate/log/event_log.hpp"
#include "tokengate/metrics/metrics.hpp"
#include "tokengate/proxy/request_metrics.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <mutex>

namespace tokengate::proxy {
namespace {

std::mutex current_mutex;

tcp::endpoint endpoint_of(const config::endpoint& e) {
    return {net::ip::make_address(e.host.empty() ? "0.0.0.0" : e.host), e.port};
}

std::string joined(const std::vector<config::diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += (out.empty() ? "" : "; ") + config::to_string(d);
    return out;
}

}  // namespace

std::shared_ptr<runtime> load_runtime(const std::string& config_path, std::uint64_t generation, std::string& error) {
    config::load_result lr = config::load_config_file(config_path);
    for (const auto& w : lr.warnings) log::event("warn", "config.warning", config::to_string(w));
    if (!lr.errors.empty() || !lr.cfg) {
        error = joined(lr.errors);
        return nullptr;
    }
    config::trust_result tr = config::build_trust(*lr.cfg);
    for (const auto& w : tr.warnings) log::event("warn", "config.warning", config::to_string(w));
    if (!tr.errors.empty() || !tr.trust) {
        error = joined(tr.errors);
        return nullptr;
    }
    auto rt = std::make_shared<runtime>();
    rt->cfg = std::move(*lr.cfg);
    if (rt->cfg.threads == 0) rt->cfg.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    rt->trust = std::move(*tr.trust);
    rt->route_policies = make_route_policies(rt->cfg);
    rt->metric_labels = make_metric_labels(rt->trust, rt->cfg);
    rt->generation = generation;
    return rt;
}

server::server(std::string config_path, runtime_ptr rt) : config_path_(std::move(config_path)), rt_(std::move(rt)) {
    next_generation_ = rt_->generation + 1;
}

server::~server() {
    // Asio restores the default action when the last signal_set goes, so a SIGTERM arriving
    // while the process finishes exiting (a supervisor repeating itself) would turn exit 0
    // into death by signal. The process is shutting down already: later ones are ignored.
    signals_.reset();
    for (int s : {SIGTERM, SIGINT, SIGHUP}) std::signal(s, SIG_IGN);
}

runtime_ptr server::current() const {
    std::lock_guard lock(current_mutex);
    return rt_;
}

void server::publish(runtime_ptr rt) {
    {
        std::lock_guard lock(current_mutex);
        rt_ = rt;
    }
    for (auto& w : workers_) net::post(w->ioc(), [wp = w.get(), rt] { wp->set_runtime(rt); });
}

runtime_ptr server::apply_keys(const std::string& provider, const validate::keys_state& keys) {
    auto next = std::make_shared<runtime>(*current());
    for (auto& p : next->trust.providers)
        if (p.name == provider) p.keys = keys;
    next->generation = next_generation_++;
    publish(next);
    return next;
}

bool server::reload() {
    if (config_path_.empty()) {
        log::event("info", "config.reload", "no configuration file to reload (demo)");
        return false;
    }
    std::string error;
    std::shared_ptr<runtime> rt = load_runtime(config_path_, next_generation_++, error);
    if (!rt) {
        metrics::record_config_reload(false);
        log::event("error", "config.reload", "new configuration refused, the running one stays: " + error);
        return false;
    }
    const runtime_ptr old = current();
    if (rt->cfg.listen.port != old->cfg.listen.port || rt->cfg.listen.host != old->cfg.listen.host ||
        rt->cfg.threads != old->cfg.threads)
        log::event("warn", "config.reload", "listen address and threads change only on restart");
    keys_.adopt(*rt);
    // The new format starts with the line announcing the reload: whoever reads that line
    // and then causes another reads both in the same format.
    log::configure(rt->cfg.logging);
    publish(std::move(rt));
    metrics::record_config_reload(true);
    log::event("info", "config.reload", "configuration reloaded");
    return true;
}

net::awaitable<void> server::report_log_gaps() {
    net::steady_timer timer(control_);
    for (;;) {
        timer.expires_after(std::chrono::seconds(1));
        auto [ec] = co_await timer.async_wait(as_tuple_awaitable);
        if (ec) co_return;
        log::tick();
    }
}

net::awaitable<void> server::wait_signals() {
    for (;;) {
        auto [ec, sig] = co_await signals_->async_wait(as_tuple_awaitable);
        if (ec) co_return;
        if (sig == SIGHUP) {
            reload();
            continue;
        }
        break;
    }
    log::event("info", "proxy.drain", "stopping: no new connections, finishing requests in flight");
    shared_.draining = true;
    keys_.stop();
    for (auto& w : workers_) net::post(w->ioc(), [wp = w.get()] { wp->stop_accepting(); });
    const auto deadline = std::chrono::steady_clock::now() + current()->cfg.limits.drain_timeout;
    net::steady_timer timer(control_);
    while (shared_.open_connections > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(as_tuple_awaitable);
    }
    if (shared_.open_connections > 0)
        log::event("warn", "proxy.drain", std::to_string(shared_.open_connections.load()) +
                                              " connections still open at the drain timeout; closing them");
    for (auto& w : workers_) w->ioc().stop();
    control_.stop();
}

int server::run() {
    // A log reader that goes away (a collector restarting) leaves stdout a broken pipe:
    // the lines written to it are lost, the proxy must not be (the default action of
    // SIGPIPE is to terminate). Sockets never raise it: Asio sends with MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
    signals_.emplace(control_, SIGTERM, SIGINT, SIGHUP);
    {
        // Fetching starts when control_ runs: the listeners open without waiting for keys.
        auto initial = std::make_shared<runtime>(*current());
        keys_.adopt(*initial);
        std::lock_guard lock(current_mutex);
        rt_ = std::move(initial);
    }
    shared_.keys = &keys_;
    const runtime_ptr rt = current();
    const int n = rt->cfg.threads;
    tcp::endpoint listen = endpoint_of(rt->cfg.listen);
    for (int i = 0; i < n; ++i) {
        workers_.push_back(std::make_unique<worker>(shared_, rt, i));
        listen = workers_.back()->listen(listen);  // port 0: the others join the port the first got
    }
    const tcp::endpoint admin_ep = admin::start_admin(control_, endpoint_of(rt->cfg.admin), *this);
    net::co_spawn(control_, wait_signals(), net::detached);
    net::co_spawn(control_, report_log_gaps(), net::detached);
    log::event("info", "proxy.listen",
               "listening on " + listen.address().to_string() + ":" + std::to_string(listen.port()) + " with " +
                   std::to_string(n) + " worker(s); admin on " + admin_ep.address().to_string() + ":" +
                   std::to_string(admin_ep.port()) + "; upstream " + rt->cfg.upstream.host + ":" +
                   std::to_string(rt->cfg.upstream.port),
               nullptr, 0,
               {{"listen_port", std::to_string(listen.port())}, {"admin_port", std::to_string(admin_ep.port())}});
    for (auto& w : workers_) threads_.emplace_back([wp = w.get()] { wp->ioc().run(); });
    control_.run();
    for (auto& t : threads_) t.join();
    log::event("info", "proxy.stop", "stopped");
    return 0;
}

}  // namespace tokengate::proxy
