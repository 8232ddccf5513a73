// SPDX-License-Identifier: MIT
// Token buckets per client: each key refills at a steady rate up to a burst.
// A rate of 0 disables the limiter.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace colophon {

class RateLimiter final
{
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    // perMinute tokens a minute per key, at most burst stored (burst 0: perMinute).
    RateLimiter(double perMinute, double burst = 0, Clock clock = {});

    struct Decision
    {
        bool allowed = true;
        int retryAfterSeconds = 0; // when refused: until one token is back
    };
    Decision take(const std::string &key);
    bool enabled() const { return m_perSecond > 0; }

private:
    struct Bucket
    {
        double tokens;
        std::chrono::steady_clock::time_point updated;
    };
    static constexpr int kShards = 16;
    struct Shard
    {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Bucket> buckets;
        std::uint64_t takes = 0;
    };
    void prune(Shard &shard, std::chrono::steady_clock::time_point now);

    double m_perSecond;
    double m_burst;
    Clock m_clock;
    Shard m_shards[kShards];
};

} // namespace colophon
