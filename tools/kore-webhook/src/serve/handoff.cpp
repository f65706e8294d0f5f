#include "gateway.hpp"
#include "upstream.hpp"

#include <boost/asio/post.hpp>

#include <atomic>
#include <ctime>
#include <utility>

namespace kore_cli::serve {

namespace {

namespace asio = boost::asio;
using kore::webhook::replay_status;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

callback_answer make_answer(int status, std::string outcome, std::string handoff, std::string body = {}) {
    callback_answer a;
    a.status = status;
    a.outcome = std::move(outcome);
    a.handoff = std::move(handoff);
    a.body = std::move(body);
    return a;
}

// The worker's share of a forward that completed: commit or release, then the answer.
void finish_forward(gateway& g, callback_job& job, const upstream_result& r, callback_answer& out) {
    g.stats.observe_handoff(seconds_since(job.handoff_start));
    const int s = r.status;
    if (s >= 200 && s < 300) {
        static_cast<void>(job.claim->commit());
        out = make_answer(204, "forwarded", std::to_string(s));
        return;
    }
    if (s >= 400 && s < 500 && s != 408 && s != 429) {
        // The upstream's final word on this callback: KORE must not retry it, and it is recorded
        // as processed so that a replay is not forwarded again.
        static_cast<void>(job.claim->commit());
        out = make_answer(s, "upstream_rejected", std::to_string(s), "upstream_rejected");
        return;
    }
    static_cast<void>(job.claim->release());
    out = make_answer(503, "handoff_failed", s == 0 ? r.problem : std::to_string(s), "handoff_failed");
}

std::string unix_seconds() {
    return std::to_string(static_cast<long long>(std::time(nullptr)));
}

void start_forward(gateway& g, const std::shared_ptr<callback_job>& job,
                   const std::function<void(callback_answer)>& answer) {
    const forward_settings& to = *job->route->settings.forward;
    auto request = std::make_shared<upstream_request>();
    request->method = job->method;
    const std::string timestamp = unix_seconds();
    if (!job->content_type.empty()) {
        request->headers.emplace_back("Content-Type", job->content_type);
    }
    if (!job->idempotency_token.empty()) {
        request->headers.emplace_back("kore-idempotency-token", job->idempotency_token);
    }
    if (!job->date.empty()) {
        request->headers.emplace_back("date", job->date);
    }
    request->headers.emplace_back("webhook-id", job->webhook_id);
    request->headers.emplace_back("webhook-timestamp", timestamp);
    try {
        request->headers.emplace_back("webhook-signature",
                                      job->route->forward_signer->sign(job->webhook_id, timestamp, job->body));
    } catch (const std::exception& e) {
        static_cast<void>(job->claim->release());
        return answer(make_answer(503, "handoff_failed", e.what(), "handoff_failed"));
    }
    request->body = job->body;
    job->handoff_start = std::chrono::steady_clock::now();
    forward(g.ioc, g.tls_client, to, job->route->pool.get(), std::move(request), [&g, job, answer](upstream_result r) {
        // Back on the workers: commit and release may wait for Redis.
        asio::post(g.workers, [&g, job, answer, r = std::move(r)] {
            callback_answer out;
            finish_forward(g, *job, r, out);
            answer(std::move(out));
        });
    });
}

void on_worker(gateway& g, const std::shared_ptr<callback_job>& job,
               const std::function<void(callback_answer)>& answer) {
    const runtime& rt = *job->rt;
    job->claim.emplace(rt.guard->claim(job->method, *job->verdict, job->idempotency_token));
    const kore::webhook::replay_claim& claim = *job->claim;
    if (!claim.should_process()) {
        switch (claim.status()) {
            case replay_status::duplicate:
                return answer(make_answer(200, "duplicate", "", "duplicate"));
            case replay_status::in_progress:
                return answer(make_answer(423, "in_progress", "", "in_progress"));
            default:
                return answer(make_answer(503, "store_unavailable", "", "store_unavailable"));
        }
    }
    if (job->route->settings.forward) {
        return start_forward(g, job, answer);
    }
    job->handoff_start = std::chrono::steady_clock::now();
    stream_entry entry;
    const std::string timestamp = unix_seconds();
    entry.id = job->webhook_id;
    entry.timestamp = timestamp;
    entry.route = job->route->settings.path;
    entry.content_type = job->content_type;
    entry.idempotency_token = job->idempotency_token;
    entry.body = job->body;
    std::string problem;
    const bool added = rt.streams->add(*job->route->settings.stream, entry, problem);
    g.stats.observe_handoff(seconds_since(job->handoff_start));
    if (!added) {
        static_cast<void>(job->claim->release());
        return answer(make_answer(503, "handoff_failed", problem, "handoff_failed"));
    }
    static_cast<void>(job->claim->commit());
    answer(make_answer(204, "streamed", "xadd"));
}

}  // namespace

void hand_off(gateway& g, std::shared_ptr<callback_job> job, std::function<void(callback_answer)> answer) {
    if (g.queued.fetch_add(1) >= g.max_queued) {
        g.queued.fetch_sub(1);
        answer(make_answer(503, "store_unavailable", "overloaded: too many callbacks waiting", "overloaded"));
        return;
    }
    // The slot is held until the answer: a forward in flight counts too. The answer goes out once,
    // even when something throws after it was given.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto release_slot = [&g, answered, answer = std::move(answer)](callback_answer a) {
        if (answered->exchange(true)) {
            return;
        }
        g.queued.fetch_sub(1);
        answer(std::move(a));
    };
    asio::post(g.workers, [&g, job = std::move(job), done = std::move(release_slot)]() mutable {
        try {
            on_worker(g, job, done);
        } catch (const std::exception& e) {
            if (job->claim) {
                static_cast<void>(job->claim->release());
            }
            done(make_answer(503, "handoff_failed", e.what(), "handoff_failed"));
        }
    });
}

}  // namespace kore_cli::serve
