#include "tokengate/cli/serve.hpp"

#include "tokengate/log/event_log.hpp"
#include "tokengate/proxy/server.hpp"

#include <cstdlib>
#include <ostream>

namespace tokengate::cli {

int run_serve(const std::vector<std::string>& argv, std::ostream& err) {
    auto args = parse_args(argv, {{"--config"}, {"--help"}});
    if (!args || !args->positional.empty()) {
        err << "usage: tokengate serve --config FILE   (or TOKENGATE_CONFIG=FILE)\n";
        return 2;
    }
    std::string path;
    if (auto c = args->last("--config")) path = *c;
    else if (const char* env = std::getenv("TOKENGATE_CONFIG")) path = env;
    if (path.empty()) {
        err << "tokengate serve: no configuration: pass --config FILE or set TOKENGATE_CONFIG\n";
        return 2;
    }
    log::output_scope output("json");  // the last lines reach stdout whichever way serve ends
    std::string error;
    proxy::runtime_ptr rt = proxy::load_runtime(path, 1, error);
    if (!rt) {
        err << "tokengate serve: " << path << ": " << error << "\n";
        log::event("error", "config.load", "refusing to start: " + error);
        return 1;
    }
    log::configure(rt->cfg.logging);
    try {
        proxy::server srv(path, rt);
        return srv.run();
    } catch (const std::exception& e) {
        err << "tokengate serve: " << e.what() << "\n";
        log::event("error", "proxy.start", e.what());
        return 1;
    }
}

}  // namespace tokengate::cli
