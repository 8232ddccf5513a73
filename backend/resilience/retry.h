// SPDX-License-Identifier: MIT
// Retry with exponential backoff and jitter (blueprint §9.2), for transient failures only.
#pragma once

#include "backend/core/error.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <thread>

namespace colophon {

struct RetryPolicy
{
    int maxAttempts = 3; // total attempts including the first
    // Delay before attempt k+1 = min(baseDelay * 2^k + jitter, maxDelay), k = 1.., jitter uniform
    // in [0, maxJitter]; as the blueprint: 1000 * 2^attempt + random(0..100), capped at 30 s.
    std::chrono::milliseconds baseDelay{1000};
    std::chrono::milliseconds maxJitter{100};
    std::chrono::milliseconds maxDelay{30000};

    // attempt = number of attempts made so far (1-based).
    std::chrono::milliseconds delayBefore(int attempt, std::mt19937_64 &rng) const;
};

using Sleeper = std::function<void(std::chrono::milliseconds)>; // default: sleep_for

namespace detail {
// A per-thread generator for jitter, seeded from std::random_device.
std::mt19937_64 &retryRng();
} // namespace detail

// Calls fn() (returning Result<T>) until it succeeds, returns a permanent error (returned at
// once, never retried), or maxAttempts is reached (the last error is returned).
template <typename F>
auto retry(const RetryPolicy &policy, F &&fn, const Sleeper &sleep = {}) -> decltype(fn())
{
    const int attempts = std::max(1, policy.maxAttempts);
    for (int attempt = 1;; ++attempt) {
        auto result = fn();
        if (result || !result.error().isTransient() || attempt >= attempts)
            return result;
        const auto delay = policy.delayBefore(attempt, detail::retryRng());
        if (sleep)
            sleep(delay);
        else
            std::this_thread::sleep_for(delay);
    }
}

} // namespace colophon
