#include "serve.hpp"

#include "admin.hpp"
#include "config.hpp"
#include "gateway.hpp"
#include "listener.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "runtime.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace kore_cli::serve {

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Redis round trips wait here; as many as the replay store's connection pool.
constexpr unsigned worker_threads = 16;

std::optional<asio::ssl::context> make_tls_server(const config& c) {
    if (!c.tls) {
        return std::nullopt;
    }
    std::optional<asio::ssl::context> tls(std::in_place, asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    try {
        tls->use_certificate_chain_file(c.tls->cert_file);
    } catch (const boost::system::system_error& e) {
        throw config_error("tls.cert_file", "OpenSSL refuses " + c.tls->cert_file + ": " + e.code().message());
    }
    try {
        tls->use_private_key_file(c.tls->key_file, asio::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
        throw config_error("tls.key_file", "OpenSSL refuses " + c.tls->key_file + ": " + e.code().message());
    }
    return tls;
}

// The longest a request in flight may still take when SIGTERM arrives: the slowest forward, plus
// the answer.
std::chrono::milliseconds drain_budget(const config& c) {
    std::chrono::milliseconds longest = 2s;
    for (const auto& r : c.routes) {
        if (r.forward) {
            longest = std::max(longest, r.forward->timeout);
        }
    }
    return std::min<std::chrono::milliseconds>(longest + 5s, 120s);
}

// SIGHUP: the file and every secret file read again; a configuration that fails keeps the old one.
void reload(const std::string& path, runtime_holder& holder) {
    try {
        config next = load_config(path);
        const auto current = holder.get();
        const config& now = current->settings;
        if (next.listen.str() != now.listen.str() ||
            (next.admin_listen ? next.admin_listen->str() : "") != (now.admin_listen ? now.admin_listen->str() : "") ||
            next.tls.has_value() != now.tls.has_value()) {
            log_event("reload", "partial", "listen, admin_listen and [tls] take effect at the next start");
        }
        holder.set(build_runtime(std::move(next), current.get()));
        log_event("reload", "ok", path);
    } catch (const std::exception& e) {
        log_event("reload", "refused", std::string(e.what()) + " (the running configuration stays)");
    }
}

// Runs the I/O loop until it stops. A handler that throws (out of memory) ends only the request it
// served, never the gateway: the loop goes on after a log line.
void run_io(asio::io_context& ioc) {
    while (true) {
        try {
            ioc.run();
            return;
        } catch (const std::exception& e) {
            log_event("error", "handler_failed", e.what());
        }
    }
}

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

int run_serve(const serve_args& args, std::ostream& out, std::ostream& err) {
    std::optional<config> loaded;
    try {
        loaded = load_config(args.config_file);
    } catch (const config_error& e) {
        err << "kore-webhook serve: " << e.what() << "\n";
        return 2;
    }
    if (args.check) {
        out << args.config_file << ": ok (" << loaded->routes.size()
            << (loaded->routes.size() == 1 ? " route" : " routes") << ")\n";
        return 0;
    }
    // No thread but the one running the signal_set may take these (the pools inherit the mask).
    const sigset_t handled = handled_signals();
    pthread_sigmask(SIG_BLOCK, &handled, nullptr);

    const std::chrono::milliseconds drain = drain_budget(*loaded);
    const std::optional<host_port> admin_at = loaded->admin_listen;
    std::optional<asio::ssl::context> tls_server;
    std::optional<runtime_holder> holder;
    try {
        tls_server = make_tls_server(*loaded);
        holder.emplace(build_runtime(std::move(*loaded), nullptr));
    } catch (const std::exception& e) {
        err << "kore-webhook serve: " << e.what() << "\n";
        return 2;
    }
    asio::ssl::context tls_client(asio::ssl::context::tls_client);
    tls_client.set_default_verify_paths();
    tls_client.set_verify_mode(asio::ssl::verify_peer);

    metrics stats;
    asio::thread_pool workers(worker_threads);
    const unsigned io_threads = std::max(2U, std::thread::hardware_concurrency());
    asio::io_context ioc(static_cast<int>(io_threads));
    gateway g{ioc, workers, *holder, stats, tls_server ? &*tls_server : nullptr, tls_client};

    std::shared_ptr<callback_listener> callbacks;
    std::shared_ptr<admin_listener> admin;
    try {
        callbacks = open_callback_listener(g, holder->get()->settings.listen);
        if (admin_at) {
            admin = open_admin_listener(g, *admin_at);
        }
    } catch (const std::exception& e) {
        err << "kore-webhook serve: " << e.what() << "\n";
        workers.join();
        return 2;
    }
    start(*callbacks);
    if (admin) {
        start(*admin);
    }

    asio::signal_set signals(ioc, SIGINT, SIGTERM, SIGHUP);
    asio::steady_timer grace(ioc);
    std::chrono::steady_clock::time_point give_up;
    std::function<void(boost::system::error_code)> wait_for_requests = [&](boost::system::error_code) {
        if (g.in_flight.load() == 0 || std::chrono::steady_clock::now() > give_up) {
            if (g.in_flight.load() != 0) {
                log_event("stop", "timeout", std::to_string(g.in_flight.load()) + " requests still in flight");
            }
            ioc.stop();
            return;
        }
        grace.expires_after(10ms);
        grace.async_wait(wait_for_requests);
    };
    std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signal) {
        if (ec) {
            return;
        }
        if (signal == SIGHUP) {
            asio::post(workers, [&] { reload(args.config_file, *holder); });
            signals.async_wait(on_signal);
            return;
        }
        log_event("stop", "draining", std::to_string(g.in_flight.load()) + " requests in flight");
        g.draining = true;
        give_up = std::chrono::steady_clock::now() + drain;
        stop(*callbacks);
        if (admin) {
            stop(*admin);
        }
        grace.expires_after(10ms);
        grace.async_wait(wait_for_requests);
    };
    signals.async_wait(on_signal);

    out << "listening on " << bound_address(*callbacks) << "\n";
    if (admin) {
        out << "admin on " << bound_address(*admin) << "\n";
    }
    out.flush();
    log_event("start", "ok", "listening on " + bound_address(*callbacks));

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < io_threads; ++i) {
        threads.emplace_back([&ioc] { run_io(ioc); });
    }
    pthread_sigmask(SIG_UNBLOCK, &handled, nullptr);
    run_io(ioc);
    for (auto& t : threads) {
        t.join();
    }
    workers.join();
    retire(*callbacks);
    // The runtimes hold pooled upstream connections, which must go before the io_context; a
    // session that still holds a runtime releases it as the io_context destroys it.
    callbacks.reset();
    admin.reset();
    holder.reset();
    log_event("stop", "ok", "exited after draining");
    return 0;
}

}  // namespace kore_cli::serve
