#include "support/proxy_fixture.hpp"

#include "support/http_client.hpp"
#include "support/loopback_listener.hpp"
#include "support/test_keys.hpp"
#include "support/token_builder.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <list>
#include <stdexcept>

namespace tokengate::test {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, std::string_view text) {
    std::ofstream f(p, std::ios::binary);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!f) throw std::runtime_error("cannot write " + p.string());
}

std::uint16_t port_after_colon(std::string_view text) {
    const auto colon = text.rfind(':');
    unsigned v = 0;
    if (colon != std::string_view::npos) {
        const char* first = text.data() + colon + 1;
        std::from_chars(first, text.data() + text.size(), v);
    }
    if (v == 0 || v > 65535) throw std::runtime_error("no port in \"" + std::string(text) + "\"");
    return static_cast<std::uint16_t>(v);
}

std::uint16_t port_member(const std::string& line, std::string_view member) {
    const auto v = json_field(line, {member});
    if (!v) throw std::runtime_error("proxy.listen line without " + std::string(member) + ": " + line);
    return port_after_colon(":" + *v);
}

// Case-insensitive "Content-Length: N" in a request head; 0 when absent.
std::size_t content_length_of(std::string_view head) {
    std::string lower(head);
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    std::size_t pos = at + 17;
    while (pos < lower.size() && lower[pos] == ' ') ++pos;
    std::size_t v = 0;
    std::from_chars(lower.data() + pos, lower.data() + lower.size(), v);
    return v;
}

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) data.remove_prefix(static_cast<std::size_t>(n));
        else if (n < 0 && errno == EINTR) continue;
        else return;  // the proxy went away: nothing to answer
    }
}

std::string hex(std::size_t n) {
    std::array<char, 16> digits{};
    const auto r = std::to_chars(digits.data(), digits.data() + digits.size(), n, 16);
    return std::string(digits.data(), r.ptr);
}

}  // namespace

// ---- recording_upstream ------------------------------------------------------------

struct recording_upstream::conn {
    int fd = -1;
    std::string in;
    std::size_t served = 0;
};

recording_upstream::recording_upstream(mode m) : mode_(m) {
    const loopback_listener l = listen_on_loopback("recording_upstream");
    listen_fd_ = l.fd;
    port_ = l.port;
    std::array<int, 2> wake{};
    if (::pipe2(wake.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    wake_read_ = wake[0];
    wake_write_ = wake[1];
    thread_ = std::thread([this] { run(); });
}

recording_upstream::~recording_upstream() {
    ::close(wake_write_);  // POLLHUP on the read end ends run()
    thread_.join();
    ::close(wake_read_);
    ::close(listen_fd_);
}

std::vector<std::string> recording_upstream::heads() const {
    const std::lock_guard lock(mutex_);
    return heads_;
}

// Answers every complete request buffered on c; false when c is to be closed.
bool recording_upstream::serve(conn& c) {
    for (;;) {
        const auto end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) return true;
        const std::string head = c.in.substr(0, end + 2);
        const std::size_t total = end + 4 + content_length_of(head);
        if (c.in.size() < total) return true;
        c.in.erase(0, total);
        {
            const std::lock_guard lock(mutex_);
            heads_.push_back(head);
        }
        if (mode_ == mode::drop_reused && c.served > 0) {
            ++dropped_;
            return false;  // as a server whose keep-alive timer fired just as the request came
        }
        ++c.served;
        const std::string body = "answer " + std::to_string(++answered_) + "\n";
        const std::string status = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
        if (mode_ == mode::chunked_response) {
            const std::string half = body.substr(0, body.size() / 2);
            const std::string rest = body.substr(half.size());
            send_all(c.fd, status + "Transfer-Encoding: chunked\r\n\r\n" + hex(half.size()) + "\r\n" + half + "\r\n" +
                               hex(rest.size()) + "\r\n" + rest + "\r\n0\r\n\r\n");
        } else if (mode_ == mode::eof_response) {
            send_all(c.fd, status + "\r\n" + body);
            return false;
        } else {
            send_all(c.fd, status + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        }
        if (mode_ == mode::close_after_response) return false;
    }
}

void recording_upstream::run() {
    std::list<conn> conns;
    for (;;) {
        std::vector<pollfd> fds{{wake_read_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
        for (const auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0) break;
        if ((fds[1].revents & POLLIN) != 0) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                ++connections_;
                conns.push_back(conn{fd, {}, 0});
            }
        }
        std::size_t i = 2;
        for (auto it = conns.begin(); it != conns.end(); ++i) {
            // A connection accepted in this round has no pollfd yet.
            if (i >= fds.size() || fds[i].revents == 0) {
                ++it;
                continue;
            }
            std::array<char, 16384> buf{};
            const ssize_t n = ::recv(it->fd, buf.data(), buf.size(), 0);
            bool keep = n > 0;
            if (n > 0) {
                bytes_ += static_cast<std::size_t>(n);
                it->in.append(buf.data(), static_cast<std::size_t>(n));
                keep = serve(*it);
            }
            if (keep) {
                ++it;
                continue;
            }
            ::close(it->fd);
            ++closed_;
            it = conns.erase(it);
        }
    }
    for (auto& c : conns) ::close(c.fd);
}

// ---- proxy_fixture -----------------------------------------------------------------

proxy_fixture::proxy_fixture(std::string binary) : binary_(std::move(binary)) {
    std::string pattern = (fs::temp_directory_path() / "tokengate-proxy-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    write_file(dir_ / "jwks.json", R"({"keys":[)" + jwk_json(rsa_pair(0), std::string(fixture_kid)) + "]}");
    write_file(dir_ / "secret.txt", fixture_secret);
}

proxy_fixture::~proxy_fixture() {
    // The proxy's exit code is the test's to check (stop_proxy); whatever still runs here
    // is killed by running_process. The echo server is asked to stop first.
    proxy_.reset();
    if (echo_) {
        try {
            echo_->stop(SIGTERM, std::chrono::milliseconds(2000));
        } catch (const process_error&) {
            // killed after the deadline: nothing more to do in a destructor
        }
    }
    echo_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::uint16_t proxy_fixture::start_echo() {
    echo_ = std::make_unique<running_process>(std::vector<std::string>{binary_, "echo-server", "--port", "0"});
    const auto line = echo_->wait_for_line("listening on", startup_timeout);
    if (!line) throw std::runtime_error("echo-server did not start: " + echo_->err_text());
    echo_port_ = port_after_colon(*line);
    return echo_port_;
}

std::string proxy_fixture::config(std::uint16_t upstream_port, std::string_view extra_members) const {
    const std::string iss(fixture_issuer);
    const std::string hmac_iss(fixture_hmac_issuer);
    const std::string aud(fixture_audience);
    return R"({
  "listen": "127.0.0.1:${TOKENGATE_TEST_LISTEN_PORT}",
  "admin_listen": "127.0.0.1:${TOKENGATE_TEST_ADMIN_PORT}",
  "upstream": "http://127.0.0.1:)" +
           std::to_string(upstream_port) + R"(",
  "threads": 2,
  "providers": [
    {"name": "rsa", "issuer": ")" + iss + R"(", "audiences": [")" + aud + R"("],
     "algorithms": ["RS256"], "jwks_file": "jwks.json", "typ": "JWT", "max_lifetime_s": 7200},
    {"name": "hmac", "issuer": ")" + hmac_iss + R"(", "audiences": [")" + aud + R"("],
     "algorithms": ["HS256"], "secret_file": "secret.txt"}
  ])" + std::string(extra_members) +
           "\n}\n";
}

// The config loader refuses port 0 for listen/admin_listen, so the ports are picked
// here and passed through ${...} expansion; a port taken meanwhile by another process
// makes the proxy exit with "Address already in use", and it is started again.
void proxy_fixture::start_proxy(const std::string& config_json, std::string_view ready_path) {
    const fs::path cfg = dir_ / "config.json";
    write_file(cfg, config_json);
    for (int attempt = 0;; ++attempt) {
        log_.clear();
        const std::uint16_t listen = pick_free_port();
        std::uint16_t admin = pick_free_port();
        while (admin == listen) admin = pick_free_port();
        process_options opts;
        opts.env = {{"TOKENGATE_TEST_LISTEN_PORT", std::to_string(listen)},
                    {"TOKENGATE_TEST_ADMIN_PORT", std::to_string(admin)}};
        proxy_ = std::make_unique<running_process>(std::vector<std::string>{binary_, "serve", "--config", cfg.string()},
                                                   opts);
        if (read_listen_line()) break;
        const bool port_taken = proxy_->err_text().find("in use") != std::string::npos;
        if (!port_taken || attempt == 2) {
            std::string out;
            for (const auto& l : log_) out += l + "\n";
            throw std::runtime_error("tokengate serve did not log proxy.listen; stderr: " + proxy_->err_text() +
                                     "\nstdout: " + out);
        }
    }
    if (!wait_until_ready(admin_port_, startup_timeout, ready_path))
        throw std::runtime_error("proxy admin " + std::string(ready_path) + " never answered 200");
}

bool proxy_fixture::read_listen_line() {
    while (auto line = proxy_->read_line(startup_timeout)) {
        log_.push_back(*line);
        if (json_field(*line, {"event"}) == "proxy.listen") {
            port_ = port_member(*line, "listen_port");
            admin_port_ = port_member(*line, "admin_port");
            return true;
        }
    }
    return false;
}

int proxy_fixture::stop_proxy(std::chrono::milliseconds timeout) {
    const int code = proxy_->stop(SIGTERM, timeout);
    (void)log_lines();
    return code;
}

const std::vector<std::string>& proxy_fixture::log_lines() {
    if (proxy_) {
        while (auto line = proxy_->read_line(std::chrono::milliseconds(0))) log_.push_back(std::move(*line));
    }
    return log_;
}

std::optional<std::string> proxy_fixture::wait_for_log(std::string_view field, std::string_view value,
                                                       std::string_view event, std::chrono::milliseconds timeout) {
    const auto matches = [&](const std::string& line) {
        return json_field(line, {field}) == value && (event.empty() || json_field(line, {"event"}) == event);
    };
    for (const auto& l : log_) {
        if (matches(l)) return l;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (proxy_) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto line = proxy_->read_line(std::max(left, std::chrono::milliseconds(0)));
        if (!line) return std::nullopt;
        log_.push_back(*line);
        if (matches(*line)) return line;
    }
    return std::nullopt;
}

std::size_t proxy_fixture::wait_for_count(std::string_view event, std::size_t n, std::chrono::milliseconds timeout) {
    const auto is_event = [&](const std::string& line) { return json_field(line, {"event"}) == event; };
    std::size_t count = static_cast<std::size_t>(std::count_if(log_.begin(), log_.end(), is_event));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (proxy_ && count < n) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto line = proxy_->read_line(std::max(left, std::chrono::milliseconds(0)));
        if (!line) break;
        if (is_event(*line)) ++count;
        log_.push_back(std::move(*line));
    }
    return count;
}

// ---- helpers -----------------------------------------------------------------------

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string rsa_token(std::string_view payload_json, std::string_view header_json, int key_index) {
    return make_token(header_json, payload_json, jose::alg::rs256, rsa_pair(key_index).priv.get());
}

std::string hmac_token(std::string_view payload_json, std::string_view secret, std::string_view header_json) {
    return make_hmac_token(header_json, payload_json, jose::alg::hs256, secret);
}

std::string good_claims(std::string_view sub, std::string_view scope, std::string_view extra_members) {
    const std::int64_t now = unix_now();
    return R"({"iss":")" + std::string(fixture_issuer) + R"(","aud":")" + std::string(fixture_audience) +
           R"(","sub":")" + std::string(sub) + R"(","scope":")" + std::string(scope) + R"(","iat":)" +
           std::to_string(now) + R"(,"exp":)" + std::to_string(now + 600) + std::string(extra_members) + "}";
}

std::optional<std::size_t> rss_kib(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) != 0) continue;
        const auto digits = line.find_first_of("0123456789");
        if (digits == std::string::npos) return std::nullopt;
        std::size_t v = 0;
        std::from_chars(line.data() + digits, line.data() + line.size(), v);
        return v;
    }
    return std::nullopt;
}

std::optional<std::string> json_field(std::string_view json, std::initializer_list<std::string_view> path) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError()) return std::nullopt;
    const rapidjson::Value* v = &doc;
    for (std::string_view name : path) {
        if (!v->IsObject()) return std::nullopt;
        const rapidjson::Value key(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
        const auto it = v->FindMember(key);
        if (it == v->MemberEnd()) return std::nullopt;
        v = &it->value;
    }
    if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
    if (v->IsInt64()) return std::to_string(v->GetInt64());
    if (v->IsUint64()) return std::to_string(v->GetUint64());
    return std::nullopt;
}

}  // namespace tokengate::test
