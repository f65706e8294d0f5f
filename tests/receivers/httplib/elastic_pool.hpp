#ifndef KORE_WEBHOOK_EXAMPLES_HTTPLIB_ELASTIC_POOL_HPP
#define KORE_WEBHOOK_EXAMPLES_HTTPLIB_ELASTIC_POOL_HPP

// cpp-httplib 0.11 gives each connection one task-queue thread from its first byte to its close,
// and has no deadline for reading a request: a client sending one byte a second keeps its thread
// for as long as it likes. Its default queue is a fixed pool (8 threads here), so 8 such clients
// stop the server. This queue keeps a few threads and starts more while connections wait, up to
// a bound; threads above the kept ones end after being idle a while. Above the bound, connections
// wait in the queue: a proxy's connection limit and request timeouts must keep a server from
// getting there (docs/servers.md, cpp-httplib).

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace kore_example {

class elastic_pool final : public httplib::TaskQueue {
public:
    // `kept` threads start now and stay; up to `most` run while connections wait; those above
    // `kept` end after `idle_end` without a connection.
    elastic_pool(std::size_t kept, std::size_t most, std::chrono::milliseconds idle_end)
        : kept_(kept), most_(most < kept ? kept : most), idle_end_(idle_end) {
        const std::lock_guard<std::mutex> lock(mutex_);
        for (std::size_t i = 0; i < kept_; ++i) {
            start_thread();
        }
    }

    elastic_pool(const elastic_pool&) = delete;
    elastic_pool& operator=(const elastic_pool&) = delete;
    ~elastic_pool() override { shutdown(); }

    void enqueue(std::function<void()> fn) override {
        const std::lock_guard<std::mutex> lock(mutex_);
        jobs_.push_back(std::move(fn));
        if (idle_ < jobs_.size() && threads_ < most_ && !stopping_) {
            start_thread();
        } else {
            work_.notify_one();
        }
    }

    // Runs what is queued, then ends every thread (cpp-httplib calls it when listen() returns).
    void shutdown() override {
        std::unique_lock<std::mutex> lock(mutex_);
        stopping_ = true;
        work_.notify_all();
        ended_.wait(lock, [this] { return threads_ == 0; });
    }

private:
    // With mutex_ held. Threads are detached: shutdown() waits for the count to reach zero.
    void start_thread() {
        ++threads_;
        std::thread([this] { run(); }).detach();
    }

    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (true) {
            ++idle_;
            const bool woke = work_.wait_for(lock, idle_end_, [this] { return !jobs_.empty() || stopping_; });
            --idle_;
            if (!jobs_.empty()) {
                std::function<void()> job = std::move(jobs_.front());
                jobs_.pop_front();
                lock.unlock();
                job();  // one connection, to its close
                lock.lock();
                continue;
            }
            if (stopping_ || (!woke && threads_ > kept_)) {
                break;
            }
        }
        --threads_;
        ended_.notify_all();  // under the lock: shutdown() cannot return before this thread lets go
    }

    const std::size_t kept_;
    const std::size_t most_;
    const std::chrono::milliseconds idle_end_;
    std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable ended_;
    std::deque<std::function<void()>> jobs_;
    std::size_t threads_ = 0;
    std::size_t idle_ = 0;
    bool stopping_ = false;
};

}  // namespace kore_example

#endif
