#include "runtime.hpp"

#include <kore/webhook/replay_guard_memory.hpp>

#include <utility>

namespace kore_cli::serve {

const route_runtime* runtime::find(std::string_view path) const noexcept {
    for (const auto& r : routes) {
        if (r->settings.path == path) {
            return r.get();
        }
    }
    return nullptr;
}

namespace {

bool same_redis(const std::optional<redis_settings>& a, const std::optional<redis_settings>& b) {
    if (!a || !b) {
        return !a && !b;
    }
    return a->address.host == b->address.host && a->address.port == b->address.port;
}

}  // namespace

std::shared_ptr<const runtime> build_runtime(config c, const runtime* previous) {
    auto out = std::make_shared<runtime>();
    if (previous != nullptr && same_redis(previous->settings.redis, c.redis)) {
        out->store = previous->store;
        out->redis_store = previous->redis_store;
        out->streams = previous->streams;
    } else if (c.redis) {
        kore::webhook::redis_replay_store_options options;
        options.host = c.redis->address.host;
        options.port = c.redis->address.port;
        options.key_prefix = "kore-webhook:gateway:replay:";
        options.max_connections = 16;  // one for each worker thread (serve.cpp)
        out->redis_store = std::make_shared<kore::webhook::redis_replay_store>(std::move(options));
        out->store = out->redis_store;
        out->streams = std::make_shared<stream_writer>(c.redis->address, std::chrono::milliseconds(1000), 16);
    } else {
        out->store = std::make_shared<kore::webhook::memory_replay_store>();
    }
    out->guard = std::make_unique<kore::webhook::replay_guard>(*out->store);
    for (std::size_t i = 0; i < c.routes.size(); ++i) {
        route_settings& s = c.routes[i];
        kore::webhook::options options;
        options.max_body_size = s.max_body_bytes;
        kore::webhook::verifier v(std::move(s.secrets), options);  // wipes the strings
        s.secrets.clear();
        auto r = std::make_unique<route_runtime>(s, std::move(v));
        if (s.forward) {
            r->forward_signer.emplace(s.forward->signing_key);
            if (!s.forward->https) {
                r->pool = std::make_unique<upstream_pool>();
            }
            r->settings.forward->signing_key.clear();
        }
        out->routes.push_back(std::move(r));
    }
    for (auto& s : c.routes) {
        s.secrets.clear();
        if (s.forward) {
            s.forward->signing_key.clear();
        }
    }
    out->settings = std::move(c);
    return out;
}

}  // namespace kore_cli::serve
