#ifndef KORE_WEBHOOK_REPLAY_GUARD_ASYNC_HPP
#define KORE_WEBHOOK_REPLAY_GUARD_ASYNC_HPP

// A replay guard for an asynchronous server (Beast, Asio, libuv, ...): claims, commits and
// releases run on this object's own worker threads, so an I/O thread never waits for a Redis
// round trip. Each call returns at once; its callback runs later, once, on a worker thread (post
// back to your executor from it). Callbacks must not throw. No dependency beyond the standard
// library.
//
//   kw::async_replay_guard async(guard);  // guard over a redis_replay_store
//   if (!async.claim(method, verified, token, [=](kw::replay_claim ticket) { ... })) reply 503;
//   ... after processing:  async.commit(std::move(ticket), [](std::error_code e) { ... });
//
// Claims wait in a bounded queue: when max_queued claims are waiting, claim() refuses at once
// (answer 503, KORE retries) rather than letting a slow store pile up requests. commit() and
// release() are always queued: finishing a claim is never refused. The destructor runs every
// queued call, then joins the workers; the guard (and its store) must outlive this object.

#include <kore/webhook/replay_guard.hpp>
#include <kore/webhook/result.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace kore::webhook {

struct async_replay_guard_options {
    // Worker threads; each runs one store operation at a time (size the Redis store's
    // max_connections to at least this).
    std::size_t threads = 2;
    // Claims waiting for a worker at most; beyond it, claim() returns false.
    std::size_t max_queued = 1024;
};

class async_replay_guard {
public:
    // Throws std::invalid_argument when threads or max_queued is 0, and what std::thread throws.
    explicit async_replay_guard(replay_guard& guard, async_replay_guard_options options = {})
        : guard_(&guard), max_queued_(options.max_queued) {
        if (options.threads == 0 || options.max_queued == 0) {
            throw std::invalid_argument("kore-webhook: async_replay_guard needs threads >= 1 and max_queued >= 1");
        }
        try {
            for (std::size_t i = 0; i < options.threads; ++i) {
                workers_.emplace_back([this] { work(); });
            }
        } catch (...) {
            stop();
            throw;
        }
    }

    async_replay_guard(const async_replay_guard&) = delete;
    async_replay_guard& operator=(const async_replay_guard&) = delete;
    async_replay_guard(async_replay_guard&&) = delete;
    async_replay_guard& operator=(async_replay_guard&&) = delete;
    ~async_replay_guard() { stop(); }

    // Queues replay_guard::claim(method, verified, token); `done(replay_claim)` gets the ticket.
    // False when max_queued claims are waiting: nothing is queued and `done` is never called.
    template <class Done>
    [[nodiscard]] bool claim(std::string_view method, const result& verified, std::string_view token, Done&& done) {
        static_assert(std::is_invocable_v<std::decay_t<Done>&, replay_claim>, "done must accept a replay_claim");
        auto queued =
            make_job([guard = guard_, method = std::string(method), verified, token = std::string(token),
                      done = std::forward<Done>(done)]() mutable { done(guard->claim(method, verified, token)); });
        return push(std::move(queued), true);
    }

    // Queues ticket.commit(); `done(std::error_code)` gets its result. Always queued.
    template <class Done>
    void commit(replay_claim ticket, Done&& done) {
        queue_end<&replay_claim::commit>(std::move(ticket), std::forward<Done>(done));
    }

    // Queues ticket.release(); `done(std::error_code)` gets its result. Always queued.
    template <class Done>
    void release(replay_claim ticket, Done&& done) {
        queue_end<&replay_claim::release>(std::move(ticket), std::forward<Done>(done));
    }

    // Claims waiting for a worker now.
    [[nodiscard]] std::size_t queued_claims() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return queued_claims_;
    }

private:
    // Queues (ticket.*End)(), a commit or a release, and `done` with its result.
    template <auto End, class Done>
    void queue_end(replay_claim ticket, Done&& done) {
        static_assert(std::is_invocable_v<std::decay_t<Done>&, std::error_code>, "done must accept an error_code");
        static_cast<void>(push(make_job([ticket = std::move(ticket), done = std::forward<Done>(done)]() mutable {
                                   done((ticket.*End)());
                               }),
                               false));
    }

    // A queued call: move-only (it may own a ticket), run once.
    struct job {
        job() = default;
        job(const job&) = delete;
        job& operator=(const job&) = delete;
        job(job&&) = delete;
        job& operator=(job&&) = delete;
        virtual ~job() = default;
        virtual void run() noexcept = 0;  // a throwing callback ends the process, as on any std::thread
    };
    template <class F>
    struct job_of final : job {
        explicit job_of(F&& f) : fn(std::move(f)) {}
        void run() noexcept override { fn(); }
        F fn;
    };
    template <class F>
    static std::unique_ptr<job> make_job(F&& f) {
        return std::make_unique<job_of<std::decay_t<F>>>(std::forward<F>(f));
    }

    struct entry {
        std::unique_ptr<job> fn;
        bool is_claim;
    };

    bool push(std::unique_ptr<job> fn, bool is_claim) {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (is_claim) {
                if (queued_claims_ >= max_queued_) {
                    return false;
                }
                ++queued_claims_;
            }
            queue_.push_back(entry{std::move(fn), is_claim});
        }
        ready_.notify_one();
        return true;
    }

    void work() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (true) {
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;  // stopping, and every queued call has run
            }
            entry next = std::move(queue_.front());
            queue_.pop_front();
            if (next.is_claim) {
                --queued_claims_;
            }
            lock.unlock();
            next.fn->run();
            next.fn.reset();  // a ticket the callback left unfinished releases here, off the lock
            lock.lock();
        }
    }

    void stop() noexcept {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        ready_.notify_all();
        for (std::thread& t : workers_) {
            if (t.joinable()) {
                t.join();
            }
        }
    }

    replay_guard* guard_;
    std::size_t max_queued_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<entry> queue_;
    std::size_t queued_claims_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace kore::webhook

#endif
