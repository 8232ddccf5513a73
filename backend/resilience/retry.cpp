// SPDX-License-Identifier: MIT
// Retry: the backoff schedule and the jitter source.
#include "backend/resilience/retry.h"

#include <limits>

namespace colophon {

std::chrono::milliseconds RetryPolicy::delayBefore(int attempt, std::mt19937_64 &rng) const
{
    using Rep = std::chrono::milliseconds::rep;
    constexpr Rep kMax = std::numeric_limits<Rep>::max();
    const int k = std::max(1, attempt);
    const Rep base = std::max<Rep>(0, baseDelay.count());

    // base * 2^k, saturating instead of overflowing.
    Rep exponential = kMax;
    if (k < std::numeric_limits<Rep>::digits && base <= (kMax >> k))
        exponential = base << k;

    Rep jitter = 0;
    if (maxJitter.count() > 0)
        jitter = std::uniform_int_distribution<Rep>(0, maxJitter.count())(rng);
    const Rep total = exponential > kMax - jitter ? kMax : exponential + jitter;
    return std::chrono::milliseconds(std::min(total, std::max<Rep>(0, maxDelay.count())));
}

namespace detail {

std::mt19937_64 &retryRng()
{
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng;
}

} // namespace detail

} // namespace colophon
