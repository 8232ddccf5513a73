// SPDX-License-Identifier: MIT
// Circuit breaker: state machine and rolling window of call outcomes.
#include "backend/resilience/circuitbreaker.h"

#include <algorithm>
#include <utility>

namespace colophon {

CircuitBreaker::CircuitBreaker(CircuitBreakerSettings settings, Clock clock)
    : m_settings(std::move(settings)),
      m_clock(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); }))
{
}

CircuitBreaker::State CircuitBreaker::state() const
{
    const TimePoint now = m_clock();
    std::lock_guard lock(m_mutex);
    if (m_state == State::Open && now - m_openedAt >= m_settings.resetTimeout)
        return State::HalfOpen;
    return m_state;
}

bool CircuitBreaker::allowRequest()
{
    const TimePoint now = m_clock();
    std::lock_guard lock(m_mutex);
    refreshLocked(now);
    switch (m_state) {
    case State::Closed:
        return true;
    case State::Open:
        return false;
    case State::HalfOpen:
        if (m_trialInFlight)
            return false;
        m_trialInFlight = true;
        return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess(std::chrono::milliseconds duration)
{
    const TimePoint now = m_clock();
    std::lock_guard lock(m_mutex);
    refreshLocked(now);
    recordLocked(now, duration <= m_settings.timeout);
}

void CircuitBreaker::recordFailure()
{
    const TimePoint now = m_clock();
    std::lock_guard lock(m_mutex);
    refreshLocked(now);
    recordLocked(now, false);
}

Error CircuitBreaker::openError() const
{
    return Error::unavailable(
        QStringLiteral("circuit '%1' is open").arg(QString::fromStdString(m_settings.name)));
}

void CircuitBreaker::refreshLocked(TimePoint now)
{
    if (m_state == State::Open && now - m_openedAt >= m_settings.resetTimeout) {
        m_state = State::HalfOpen;
        m_trialInFlight = false;
    }
}

void CircuitBreaker::recordLocked(TimePoint now, bool ok)
{
    switch (m_state) {
    case State::Open:
        // A call let through before the circuit opened; the circuit is already open.
        return;
    case State::HalfOpen:
        m_trialInFlight = false;
        if (ok) {
            m_state = State::Closed;
            m_window.clear();
        } else {
            openLocked(now);
        }
        return;
    case State::Closed:
        break;
    }

    m_window.push_back({now, ok});
    while (!m_window.empty() && now - m_window.front().at >= m_settings.rollingWindow)
        m_window.pop_front();

    const auto calls = static_cast<long long>(m_window.size());
    const auto failures = static_cast<long long>(
        std::count_if(m_window.begin(), m_window.end(), [](const Outcome &o) { return !o.ok; }));
    if (failures > 0 && calls >= m_settings.volumeThreshold &&
        failures * 100 >= static_cast<long long>(m_settings.errorThresholdPercentage) * calls)
        openLocked(now);
}

void CircuitBreaker::openLocked(TimePoint now)
{
    m_state = State::Open;
    m_openedAt = now;
    m_trialInFlight = false;
    m_window.clear();
}

} // namespace colophon
