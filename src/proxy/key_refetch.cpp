#include "tokengate/proxy/key_refetch.hpp"

#include "tokengate/proxy/key_manager.hpp"
#include "tokengate/proxy/request_metrics.hpp"

#include <algorithm>

namespace tokengate::proxy {
namespace {

const config::provider_config* remote_provider(const runtime& rt, const std::string& name) {
    const auto it = std::find_if(rt.cfg.providers.begin(), rt.cfg.providers.end(),
                                 [&](const auto& p) { return p.name == name; });
    return it != rt.cfg.providers.end() && it->keys.remote() ? &*it : nullptr;
}

}  // namespace

net::awaitable<auth_outcome> authenticate_with_refetch(worker& w, const runtime& rt, std::string_view method,
                                                       std::string_view path, std::string_view query,
                                                       const boost::beast::http::fields& headers) {
    auth_outcome out = authenticate_measured(w, rt, method, path, query, headers);
    key_manager* keys = w.shared().keys;
    if (keys == nullptr || !out.rejected || out.rejected->code != reason::unknown_kid || !out.decision) co_return out;
    const config::provider_config* p = remote_provider(rt, out.decision->ev.provider);
    if (p == nullptr) co_return out;
    if (p->keys.cache.unknown_kid_wait.count() == 0) {  // refetch for later tokens, answer this one now
        keys->request_refetch(p->name, nullptr);
        co_return out;
    }
    auto waiter = std::make_shared<refetch_waiter>(w.ioc().get_executor());
    waiter->timer.expires_after(p->keys.cache.unknown_kid_wait);
    keys->request_refetch(p->name, waiter);
    co_await waiter->timer.async_wait(as_tuple_awaitable);
    // No fetch of its own (rate-limited) need not mean no keys: a fetch another request
    // started may have brought the kid after this request's snapshot was taken. Its
    // snapshot reached this worker before the answer to this request did (same queue).
    runtime_ptr fresh = waiter->fresh;
    if (!fresh && w.current()->generation != rt.generation) fresh = w.current();
    if (!fresh) co_return out;
    auth_outcome again = authenticate_measured(w, *fresh, method, path, query, headers);
    again.snapshot = fresh;
    co_return again;
}

}  // namespace tokengate::proxy
