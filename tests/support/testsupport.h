// SPDX-License-Identifier: MIT
// Helpers every test may use: where the source tree is, a manual clock.
#pragma once

#include <QString>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace colophon::test {

// The source and build trees, from the environment CTest sets.
QString sourceDir();
QString binaryDir();

// A clock the test moves by hand; milliseconds since the epoch.
class ManualClock final
{
public:
    explicit ManualClock(std::int64_t startMs = 1'700'000'000'000) : m_ms(startMs) {}
    std::int64_t nowMs() const { return m_ms.load(); }
    void set(std::int64_t ms) { m_ms.store(ms); }
    void advance(std::int64_t ms) { m_ms.fetch_add(ms); }

private:
    std::atomic<std::int64_t> m_ms;
};

} // namespace colophon::test
