// SPDX-License-Identifier: MIT
// Counters, gauges, histograms and their Prometheus text rendering.
#include "backend/observability/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <system_error>

namespace colophon {

namespace {

bool isMetricName(std::string_view name)
{
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        const bool digit = c >= '0' && c <= '9';
        if (!(alpha || (i > 0 && digit)))
            return false;
    }
    return true;
}

bool isLabelName(std::string_view name)
{
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!(alpha || (i > 0 && digit)))
            return false;
    }
    return true;
}

// Integers (in the range a long long holds) without exponent or fraction;
// other numbers as the shortest text that reads back to the same double, in
// fixed notation unless very small or very large.
std::string formatNumber(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    std::array<char, 64> buf{};
    std::to_chars_result r;
    char *const first = buf.data();
    char *const last = buf.data() + buf.size();
    const double magnitude = std::fabs(v);
    if (v == std::trunc(v) && magnitude < 9.0e18)
        r = std::to_chars(first, last, static_cast<long long>(v));
    else if (magnitude >= 1e-6 && magnitude < 1e15) // 0.0005, not 5e-04
        r = std::to_chars(first, last, v, std::chars_format::fixed);
    else
        r = std::to_chars(first, last, v);
    if (r.ec != std::errc())
        r = std::to_chars(first, last, v, std::chars_format::scientific);
    return std::string(first, r.ptr);
}

// Label values: backslash, double quote and newline escaped.
std::string escapeLabelValue(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// HELP text: backslash and newline escaped.
std::string escapeHelp(std::string_view help)
{
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// Sorted by label name, validated.
MetricLabels normalizeLabels(const std::string &metric, MetricLabels labels, bool histogram)
{
    std::sort(labels.begin(), labels.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::string &name = labels[i].first;
        if (!isLabelName(name) || name.starts_with("__"))
            throw std::logic_error("metric " + metric + ": invalid label name '" + name + "'");
        if (histogram && name == "le")
            throw std::logic_error("metric " + metric + ": label 'le' is reserved for histograms");
        if (i > 0 && labels[i - 1].first == name)
            throw std::logic_error("metric " + metric + ": duplicate label '" + name + "'");
    }
    return labels;
}

// Strictly increasing finite bounds; a trailing +Inf is dropped.
std::vector<double> normalizeBounds(std::vector<double> bounds)
{
    if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity())
        bounds.pop_back();
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]))
            throw std::logic_error("histogram bucket bounds must be finite");
        if (i > 0 && !(bounds[i - 1] < bounds[i]))
            throw std::logic_error("histogram bucket bounds must be strictly increasing");
    }
    return bounds;
}

// name{a="x",b="y"} with extra (already escaped) label text appended, if any.
std::string seriesName(std::string_view name, const MetricLabels &labels,
                       std::string_view extra = {})
{
    std::string out(name);
    if (labels.empty() && extra.empty())
        return out;
    out += '{';
    bool first = true;
    for (const auto &[key, value] : labels) {
        if (!first)
            out += ',';
        first = false;
        out += key;
        out += "=\"";
        out += escapeLabelValue(value);
        out += '"';
    }
    if (!extra.empty()) {
        if (!first)
            out += ',';
        out += extra;
    }
    out += '}';
    return out;
}

constexpr std::array<std::string_view, 3> kHistogramSuffixes{"_bucket", "_sum", "_count"};

} // namespace

void Counter::inc(double v)
{
    if (!(v >= 0.0))
        return; // negative or NaN: a counter never goes down
    m_value.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds)
    : m_bounds(normalizeBounds(std::move(bounds))),
      m_buckets(std::make_unique<std::atomic<std::uint64_t>[]>(m_bounds.size() + 1))
{
}

void Histogram::observe(double v)
{
    if (std::isnan(v))
        return;
    const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), v);
    const auto index = static_cast<std::size_t>(it - m_bounds.begin());
    m_buckets[index].fetch_add(1, std::memory_order_relaxed);
    m_sum.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const
{
    std::uint64_t total = 0;
    for (std::size_t i = 0; i <= m_bounds.size(); ++i)
        total += m_buckets[i].load(std::memory_order_relaxed);
    return total;
}

std::uint64_t Histogram::bucketCount(std::size_t i) const
{
    if (i > m_bounds.size())
        return 0;
    return m_buckets[i].load(std::memory_order_relaxed);
}

struct MetricsRegistry::Family
{
    Kind kind;
    std::string help;
    std::map<MetricLabels, std::unique_ptr<Counter>> counters;
    std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
    std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

std::vector<double> MetricsRegistry::defaultBuckets()
{
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::Family &MetricsRegistry::family(const std::string &name, const std::string &help,
                                                 Kind kind)
{
    if (!isMetricName(name))
        throw std::logic_error("invalid metric name '" + name + "'");
    if (const auto it = m_families.find(name); it != m_families.end()) {
        if (it->second->kind != kind)
            throw std::logic_error("metric " + name + " is already registered with another type");
        return *it->second;
    }
    // A histogram's series are name_bucket, name_sum and name_count: no other
    // family may use those names.
    for (const std::string_view suffix : kHistogramSuffixes) {
        if (name.ends_with(suffix)) {
            const auto base = m_families.find(name.substr(0, name.size() - suffix.size()));
            if (base != m_families.end() && base->second->kind == Kind::Histogram)
                throw std::logic_error("metric " + name + " clashes with histogram " + base->first);
        }
        if (kind == Kind::Histogram && m_families.contains(name + std::string(suffix)))
            throw std::logic_error("histogram " + name + " clashes with metric " + name +
                                   std::string(suffix));
    }
    auto created = std::make_unique<Family>();
    created->kind = kind;
    created->help = help;
    Family &result = *created;
    m_families.emplace(name, std::move(created));
    return result;
}

Counter &MetricsRegistry::counter(const std::string &name, const std::string &help,
                                  const MetricLabels &labels)
{
    MetricLabels key = normalizeLabels(name, labels, false);
    const std::lock_guard lock(m_mutex);
    Family &f = family(name, help, Kind::Counter);
    auto &slot = f.counters[std::move(key)];
    if (!slot)
        slot = std::make_unique<Counter>();
    return *slot;
}

Gauge &MetricsRegistry::gauge(const std::string &name, const std::string &help,
                              const MetricLabels &labels)
{
    MetricLabels key = normalizeLabels(name, labels, false);
    const std::lock_guard lock(m_mutex);
    Family &f = family(name, help, Kind::Gauge);
    auto &slot = f.gauges[std::move(key)];
    if (!slot)
        slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram &MetricsRegistry::histogram(const std::string &name, const std::string &help,
                                      const MetricLabels &labels, std::vector<double> buckets)
{
    MetricLabels key = normalizeLabels(name, labels, true);
    std::vector<double> bounds = normalizeBounds(std::move(buckets));
    const std::lock_guard lock(m_mutex);
    Family &f = family(name, help, Kind::Histogram);
    if (const auto it = f.histograms.find(key); it != f.histograms.end()) {
        if (it->second->bounds() != bounds)
            throw std::logic_error("histogram " + name +
                                   " is already registered with other buckets");
        return *it->second;
    }
    auto created = std::make_unique<Histogram>(std::move(bounds));
    Histogram &result = *created;
    f.histograms.emplace(std::move(key), std::move(created));
    return result;
}

std::string MetricsRegistry::renderPrometheus() const
{
    const std::lock_guard lock(m_mutex);
    std::string out;
    for (const auto &[name, f] : m_families) {
        out += "# HELP " + name + ' ' + escapeHelp(f->help) + '\n';
        switch (f->kind) {
        case Kind::Counter:
            out += "# TYPE " + name + " counter\n";
            for (const auto &[labels, c] : f->counters)
                out += seriesName(name, labels) + ' ' + formatNumber(c->value()) + '\n';
            break;
        case Kind::Gauge:
            out += "# TYPE " + name + " gauge\n";
            for (const auto &[labels, g] : f->gauges)
                out += seriesName(name, labels) + ' ' + formatNumber(g->value()) + '\n';
            break;
        case Kind::Histogram:
            out += "# TYPE " + name + " histogram\n";
            for (const auto &[labels, h] : f->histograms) {
                // Read each bucket once so +Inf and _count agree even while observed.
                std::uint64_t cumulative = 0;
                const std::vector<double> &bounds = h->bounds();
                for (std::size_t i = 0; i < bounds.size(); ++i) {
                    cumulative += h->bucketCount(i);
                    out += seriesName(name + "_bucket", labels,
                                      "le=\"" + formatNumber(bounds[i]) + '"') +
                           ' ' + std::to_string(cumulative) + '\n';
                }
                cumulative += h->bucketCount(bounds.size());
                out += seriesName(name + "_bucket", labels, "le=\"+Inf\"") + ' ' +
                       std::to_string(cumulative) + '\n';
                out += seriesName(name + "_sum", labels) + ' ' + formatNumber(h->sum()) + '\n';
                out +=
                    seriesName(name + "_count", labels) + ' ' + std::to_string(cumulative) + '\n';
            }
            break;
        }
    }
    return out;
}

} // namespace colophon
