// SPDX-License-Identifier: MIT
// Circuit breaker (blueprint §9.1): fails fast while a dependency keeps failing, then lets one
// trial call through to find out whether it has recovered.
#pragma once

#include "backend/core/error.h"

#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>

namespace colophon {

struct CircuitBreakerSettings
{
    std::string name;
    int errorThresholdPercentage = 50; // open when failures/(calls in window) >= this
    int volumeThreshold = 10;          // ...and at least this many calls in the rolling window
    std::chrono::milliseconds rollingWindow{10000};
    std::chrono::milliseconds timeout{3000};       // a call slower than this counts as a failure
    std::chrono::milliseconds resetTimeout{30000}; // open -> half-open after this
};

// Thread-safe. Calls are synchronous: a slow call is not interrupted, it only counts as a
// failure once it returns. In HalfOpen the next recorded outcome decides, whichever call it
// came from.
class CircuitBreaker final
{
public:
    enum class State { Closed, Open, HalfOpen };
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit CircuitBreaker(CircuitBreakerSettings settings, Clock clock = {});

    // Reports HalfOpen once resetTimeout has passed while Open.
    State state() const;
    // Closed: yes. Open: no. HalfOpen: exactly one trial call at a time.
    bool allowRequest();
    // A success slower than timeout is recorded as a failure. In HalfOpen a success closes the
    // circuit and clears the window.
    void recordSuccess(std::chrono::milliseconds duration = {});
    // In HalfOpen a failure re-opens the circuit for another resetTimeout.
    void recordFailure();

    // Runs fn (returning Result<T>) if allowed, else Error{Unavailable, "circuit '<name>' is
    // open"}. Only transient errors count as failures; a permanent error is the caller's fault
    // and counts as a success for the breaker's health. An exception counts as a failure and
    // propagates.
    template <typename F> auto execute(F &&fn) -> decltype(fn())
    {
        if (!allowRequest())
            return fail(openError());
        return run(fn);
    }

    // Same, but returns fallback() (a Result<T> or a T) when the call is rejected or fails with
    // a transient error. Permanent errors are returned as they are.
    template <typename F, typename G> auto execute(F &&fn, G &&fallback) -> decltype(fn())
    {
        if (!allowRequest())
            return fallback();
        auto result = run(fn);
        if (!result && result.error().isTransient())
            return fallback();
        return result;
    }

    const CircuitBreakerSettings &settings() const { return m_settings; }

private:
    using TimePoint = std::chrono::steady_clock::time_point;
    struct Outcome
    {
        TimePoint at;
        bool ok;
    };

    template <typename F> auto run(F &fn) -> decltype(fn())
    {
        const TimePoint start = m_clock();
        try {
            auto result = fn();
            const auto elapsed =
                std::chrono::duration_cast<std::chrono::milliseconds>(m_clock() - start);
            if (result || !result.error().isTransient())
                recordSuccess(elapsed);
            else
                recordFailure();
            return result;
        } catch (...) {
            recordFailure();
            throw;
        }
    }

    Error openError() const;
    // Open -> HalfOpen once resetTimeout has passed. Caller holds m_mutex.
    void refreshLocked(TimePoint now);
    void recordLocked(TimePoint now, bool ok);
    void openLocked(TimePoint now);

    const CircuitBreakerSettings m_settings;
    const Clock m_clock;
    mutable std::mutex m_mutex;
    State m_state = State::Closed;
    TimePoint m_openedAt{};
    bool m_trialInFlight = false;
    std::deque<Outcome> m_window;
};

} // namespace colophon
