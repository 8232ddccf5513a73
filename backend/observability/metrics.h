// SPDX-License-Identifier: MIT
// Prometheus metrics: lock-free counters, gauges and histograms in a registry
// that renders the text exposition format 0.0.4.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace colophon {

// Label name/value pairs. The order given does not matter: {a,b} and {b,a} name
// the same series.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A value that only goes up. Negative and NaN increments are ignored.
class Counter final
{
public:
    Counter() = default;
    Counter(const Counter &) = delete;
    Counter &operator=(const Counter &) = delete;

    void inc(double v = 1.0);
    double value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<double> m_value{0.0};
};

// A value that goes up and down.
class Gauge final
{
public:
    Gauge() = default;
    Gauge(const Gauge &) = delete;
    Gauge &operator=(const Gauge &) = delete;

    void set(double v) { m_value.store(v, std::memory_order_relaxed); }
    void inc(double v = 1.0) { m_value.fetch_add(v, std::memory_order_relaxed); }
    void dec(double v = 1.0) { m_value.fetch_sub(v, std::memory_order_relaxed); }
    double value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<double> m_value{0.0};
};

// Observations counted into buckets by upper bound (a value equal to a bound
// falls in that bound's bucket). NaN observations are ignored.
class Histogram final
{
public:
    // bounds: strictly increasing finite upper bounds; a trailing +Inf is dropped
    // (the +Inf bucket always exists). Throws std::logic_error otherwise.
    explicit Histogram(std::vector<double> bounds);
    Histogram(const Histogram &) = delete;
    Histogram &operator=(const Histogram &) = delete;

    void observe(double v);
    // Observations so far: the sum of every bucket.
    std::uint64_t count() const;
    double sum() const { return m_sum.load(std::memory_order_relaxed); }
    const std::vector<double> &bounds() const { return m_bounds; }
    // Observations in bucket i alone (not cumulative); i == bounds().size() is the
    // +Inf bucket. Out of range gives 0.
    std::uint64_t bucketCount(std::size_t i) const;

private:
    std::vector<double> m_bounds;
    std::unique_ptr<std::atomic<std::uint64_t>[]> m_buckets; // bounds + 1
    std::atomic<double> m_sum{0.0};
};

// Owns every metric of the process (or of a test). Registration and rendering
// take a mutex; updates through the returned references are lock-free.
class MetricsRegistry final
{
public:
    MetricsRegistry();
    ~MetricsRegistry();
    MetricsRegistry(const MetricsRegistry &) = delete;
    MetricsRegistry &operator=(const MetricsRegistry &) = delete;

    // Seconds: 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10.
    static std::vector<double> defaultBuckets();

    // Return the same object for the same name and labels; references stay valid
    // for the registry's lifetime. The first help text of a name is kept.
    // Throw std::logic_error on a programming error: an invalid metric or label
    // name, a duplicate or reserved label name, a name already registered with
    // another type (or clashing with a histogram's _bucket/_sum/_count series),
    // or a histogram series re-registered with other buckets.
    Counter &counter(const std::string &name, const std::string &help,
                     const MetricLabels &labels = {});
    Gauge &gauge(const std::string &name, const std::string &help, const MetricLabels &labels = {});
    Histogram &histogram(const std::string &name, const std::string &help,
                         const MetricLabels &labels = {},
                         std::vector<double> buckets = defaultBuckets());

    // Prometheus text exposition format 0.0.4, families sorted by name.
    std::string renderPrometheus() const;

private:
    enum class Kind { Counter, Gauge, Histogram };
    struct Family;

    // The family of that name, created if new; m_mutex must be held.
    Family &family(const std::string &name, const std::string &help, Kind kind);

    mutable std::mutex m_mutex;
    std::map<std::string, std::unique_ptr<Family>> m_families;
};

} // namespace colophon
