// SPDX-License-Identifier: MIT
#include "backend/http/ratelimiter.h"

#include <algorithm>
#include <cmath>

namespace colophon {

RateLimiter::RateLimiter(double perMinute, double burst, Clock clock)
    : m_perSecond(std::max(0.0, perMinute) / 60.0),
      m_burst(burst > 0 ? burst : std::max(1.0, perMinute)),
      m_clock(clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); })
{
}

RateLimiter::Decision RateLimiter::take(const std::string &key)
{
    if (!enabled()) {
        return {};
    }
    const auto now = m_clock();
    Shard &shard = m_shards[std::hash<std::string>{}(key) % kShards];
    std::lock_guard lock(shard.mutex);
    if (++shard.takes % 4096 == 0) {
        prune(shard, now);
    }
    auto [it, inserted] = shard.buckets.try_emplace(key, Bucket{m_burst, now});
    Bucket &b = it->second;
    if (!inserted) {
        const double elapsed = std::chrono::duration<double>(now - b.updated).count();
        b.tokens = std::min(m_burst, b.tokens + std::max(0.0, elapsed) * m_perSecond);
        b.updated = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return {};
    }
    const double wait = (1.0 - b.tokens) / m_perSecond;
    return {false, std::max(1, static_cast<int>(std::ceil(wait)))};
}

void RateLimiter::prune(Shard &shard, std::chrono::steady_clock::time_point now)
{
    // A bucket that has refilled completely carries no state worth keeping.
    const double fullAfter = m_burst / m_perSecond;
    std::erase_if(shard.buckets, [&](const auto &kv) {
        return std::chrono::duration<double>(now - kv.second.updated).count() > fullAfter;
    });
}

} // namespace colophon
