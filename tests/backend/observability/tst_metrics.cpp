// SPDX-License-Identifier: MIT
// Tests of the metrics registry: updates, identity, validation and Prometheus text.
#include "backend/observability/metrics.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

using namespace colophon;

namespace {

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

std::size_t occurrences(const std::string &haystack, const std::string &needle)
{
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + needle.size()))
        ++n;
    return n;
}

} // namespace

class TestMetrics final : public QObject
{
    Q_OBJECT

private slots:
    void counterAddsIncrementsAndIgnoresNegativeOnes()
    {
        MetricsRegistry registry;
        Counter &c = registry.counter("jobs_total", "Jobs.");
        QCOMPARE(c.value(), 0.0);
        c.inc();
        c.inc(2.5);
        c.inc(-10);
        c.inc(std::numeric_limits<double>::quiet_NaN());
        QCOMPARE(c.value(), 3.5);
    }

    void gaugeSetsIncrementsAndDecrements()
    {
        MetricsRegistry registry;
        Gauge &g = registry.gauge("queue_depth", "Queue depth.");
        g.set(10);
        g.inc();
        g.inc(4);
        g.dec(20);
        QCOMPARE(g.value(), -5.0);
        g.dec();
        QCOMPARE(g.value(), -6.0);
    }

    void histogramCountsIntoNonCumulativeBuckets()
    {
        Histogram h({0.1, 1, 10});
        QCOMPARE(h.bounds(), (std::vector<double>{0.1, 1, 10}));
        for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 100.0, 1000.0})
            h.observe(v);
        h.observe(std::numeric_limits<double>::quiet_NaN());
        QCOMPARE(h.count(), std::uint64_t(7));
        QCOMPARE(h.sum(), 0.05 + 0.1 + 0.5 + 1.0 + 5.0 + 100.0 + 1000.0);
        QCOMPARE(h.bucketCount(0), std::uint64_t(2)); // 0.05 and 0.1 (le is inclusive)
        QCOMPARE(h.bucketCount(1), std::uint64_t(2)); // 0.5 and 1
        QCOMPARE(h.bucketCount(2), std::uint64_t(1)); // 5
        QCOMPARE(h.bucketCount(3), std::uint64_t(2)); // +Inf: 100 and 1000
        QCOMPARE(h.bucketCount(4), std::uint64_t(0)); // out of range
    }

    void defaultBucketsAreTheLatencyBucketsInSeconds()
    {
        QCOMPARE(MetricsRegistry::defaultBuckets(),
                 (std::vector<double>{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                      0.5, 1, 2.5, 5, 10}));
        MetricsRegistry registry;
        QCOMPARE(registry.histogram("latency_seconds", "Latency.").bounds(),
                 MetricsRegistry::defaultBuckets());
    }

    void histogramBoundsMustIncreaseAndMayEndInInfinity()
    {
        const double inf = std::numeric_limits<double>::infinity();
        QCOMPARE(Histogram({1, 2, inf}).bounds(), (std::vector<double>{1, 2}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, Histogram({1, 1}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, Histogram({2, 1}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 Histogram({1, std::numeric_limits<double>::quiet_NaN()}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, Histogram({-inf, 1}));
        Histogram onlyInf({});
        onlyInf.observe(3);
        QCOMPARE(onlyInf.bucketCount(0), std::uint64_t(1));
    }

    void sameNameAndLabelsGiveTheSameObject()
    {
        MetricsRegistry registry;
        Counter &a = registry.counter("requests_total", "Requests.",
                                      {{"method", "GET"}, {"route", "/items"}});
        Counter &b = registry.counter("requests_total", "Requests.",
                                      {{"route", "/items"}, {"method", "GET"}});
        Counter &other = registry.counter("requests_total", "Requests.",
                                          {{"method", "POST"}, {"route", "/items"}});
        QCOMPARE(&a, &b);
        QVERIFY(&a != &other);
        // Many registrations later, the first reference is still the live one.
        for (int i = 0; i < 1000; ++i)
            registry.counter("requests_total", "Requests.", {{"n", std::to_string(i)}});
        a.inc(7);
        QCOMPARE(registry.counter("requests_total", "", {{"method", "GET"}, {"route", "/items"}})
                     .value(),
                 7.0);
        QCOMPARE(&registry.gauge("g", "G."), &registry.gauge("g", "G."));
        QCOMPARE(&registry.histogram("h_seconds", "H."), &registry.histogram("h_seconds", "H."));
    }

    void rendersExactPrometheusText()
    {
        MetricsRegistry registry;
        registry
            .histogram("request_duration_seconds", "Request duration.", {{"route", "/a"}},
                       {0.25, 1})
            .observe(0.25);
        registry
            .histogram("request_duration_seconds", "Request duration.", {{"route", "/a"}},
                       {0.25, 1})
            .observe(3);
        registry.counter("requests_total", "Requests served.", {{"code", "200"}}).inc(3);
        registry.counter("requests_total", "Requests served.", {{"code", "500"}}).inc();
        registry.gauge("in_flight_requests", "Requests in flight.").set(0.25);
        registry.counter("content_created_total", "Content items created.");

        const std::string expected = "# HELP content_created_total Content items created.\n"
                                     "# TYPE content_created_total counter\n"
                                     "content_created_total 0\n"
                                     "# HELP in_flight_requests Requests in flight.\n"
                                     "# TYPE in_flight_requests gauge\n"
                                     "in_flight_requests 0.25\n"
                                     "# HELP request_duration_seconds Request duration.\n"
                                     "# TYPE request_duration_seconds histogram\n"
                                     "request_duration_seconds_bucket{route=\"/a\",le=\"0.25\"} 1\n"
                                     "request_duration_seconds_bucket{route=\"/a\",le=\"1\"} 1\n"
                                     "request_duration_seconds_bucket{route=\"/a\",le=\"+Inf\"} 2\n"
                                     "request_duration_seconds_sum{route=\"/a\"} 3.25\n"
                                     "request_duration_seconds_count{route=\"/a\"} 2\n"
                                     "# HELP requests_total Requests served.\n"
                                     "# TYPE requests_total counter\n"
                                     "requests_total{code=\"200\"} 3\n"
                                     "requests_total{code=\"500\"} 1\n";
        QCOMPARE(registry.renderPrometheus(), expected);
    }

    void histogramBucketsAreCumulativeInOutput()
    {
        MetricsRegistry registry;
        Histogram &h = registry.histogram("op_seconds", "Op.");
        for (double v : {0.0001, 0.003, 0.003, 0.2, 7.0, 60.0})
            h.observe(v);
        const std::string text = registry.renderPrometheus();
        QVERIFY(contains(text, "op_seconds_bucket{le=\"0.0005\"} 1\n"));
        QVERIFY(contains(text, "op_seconds_bucket{le=\"0.0025\"} 1\n"));
        QVERIFY(contains(text, "op_seconds_bucket{le=\"0.005\"} 3\n"));
        QVERIFY(contains(text, "op_seconds_bucket{le=\"0.25\"} 4\n"));
        QVERIFY(contains(text, "op_seconds_bucket{le=\"5\"} 4\n"));
        QVERIFY(contains(text, "op_seconds_bucket{le=\"10\"} 5\n"));
        QVERIFY(contains(text, "op_seconds_bucket{le=\"+Inf\"} 6\n"));
        QVERIFY(contains(text, "op_seconds_count 6\n"));
        QCOMPARE(occurrences(text, "op_seconds_bucket{"),
                 MetricsRegistry::defaultBuckets().size() + 1);
    }

    void numbersPrintWithoutExponentWhenIntegral()
    {
        MetricsRegistry registry;
        registry.gauge("a_big", "A.").set(123456789012.0);
        registry.gauge("b_neg", "B.").set(-3);
        registry.gauge("c_frac", "C.").set(0.1);
        registry.gauge("d_inf", "D.").set(std::numeric_limits<double>::infinity());
        registry.gauge("e_nan", "E.").set(std::numeric_limits<double>::quiet_NaN());
        registry.gauge("f_negzero", "F.").set(-0.0);
        registry.gauge("g_small", "G.").set(0.0005);
        registry.gauge("h_tiny", "H.").set(1.5e-9);
        registry.gauge("i_huge", "I.").set(2.5e20);
        registry.gauge("j_mixed", "J.").set(1234.5678);
        const std::string text = registry.renderPrometheus();
        QVERIFY2(contains(text, "\na_big 123456789012\n"), text.c_str());
        QVERIFY(contains(text, "\nb_neg -3\n"));
        QVERIFY(contains(text, "\nc_frac 0.1\n"));
        QVERIFY(contains(text, "\nd_inf +Inf\n"));
        QVERIFY(contains(text, "\ne_nan NaN\n"));
        QVERIFY(contains(text, "\nf_negzero 0\n"));
        QVERIFY(contains(text, "\ng_small 0.0005\n"));
        QVERIFY(contains(text, "\nh_tiny 1.5e-09\n"));
        QVERIFY(contains(text, "\ni_huge 2.5e+20\n"));
        QVERIFY(contains(text, "\nj_mixed 1234.5678\n"));
    }

    void labelValuesAndHelpAreEscaped()
    {
        MetricsRegistry registry;
        registry
            .counter("odd_total", "Help with \\ and\nnewline.", {{"path", "C:\\dir\n\"quoted\""}})
            .inc();
        const std::string text = registry.renderPrometheus();
        QVERIFY2(contains(text, "# HELP odd_total Help with \\\\ and\\nnewline.\n"), text.c_str());
        QVERIFY2(contains(text, "odd_total{path=\"C:\\\\dir\\n\\\"quoted\\\"\"} 1\n"),
                 text.c_str());
    }

    void familiesAreSortedWithOneHelpAndTypeEach()
    {
        MetricsRegistry registry;
        for (const char *name : {"zeta_total", "alpha_total", "mid_total"}) {
            for (int i = 0; i < 3; ++i)
                registry.counter(name, "Help.", {{"i", std::to_string(i)}}).inc();
        }
        const std::string text = registry.renderPrometheus();
        QCOMPARE(occurrences(text, "# HELP "), std::size_t(3));
        QCOMPARE(occurrences(text, "# TYPE "), std::size_t(3));
        const auto alpha = text.find("# HELP alpha_total");
        const auto mid = text.find("# HELP mid_total");
        const auto zeta = text.find("# HELP zeta_total");
        QVERIFY(alpha < mid);
        QVERIFY(mid < zeta);
        QVERIFY(zeta != std::string::npos);
    }

    void registeringAnotherTypeThrowsAndLeavesOutputIntact()
    {
        MetricsRegistry registry;
        registry.counter("things_total", "Things.").inc(2);
        const std::string before = registry.renderPrometheus();
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.gauge("things_total", "Things."));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.histogram("things_total", "Things."));
        QCOMPARE(registry.renderPrometheus(), before);
    }

    void histogramSeriesNamesCannotBeReused()
    {
        MetricsRegistry registry;
        registry.histogram("load_seconds", "Load.");
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.counter("load_seconds_count", "X."));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.gauge("load_seconds_sum", "X."));
        registry.gauge("size_bucket", "Size.");
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.histogram("size", "Size."));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 registry.histogram("load_seconds", "Load.", {}, {1.0, 2.0}));
    }

    void invalidMetricNamesThrow_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("empty") << "";
        QTest::newRow("leading digit") << "1abc";
        QTest::newRow("dash") << "http-requests";
        QTest::newRow("space") << "a b";
        QTest::newRow("dot") << "a.b";
        QTest::newRow("unicode") << "caf\u00e9";
    }
    void invalidMetricNamesThrow()
    {
        QFETCH(QString, name);
        MetricsRegistry registry;
        const std::string n = name.toStdString();
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.counter(n, "X."));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.gauge(n, "X."));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.histogram(n, "X."));
        QCOMPARE(registry.renderPrometheus(), std::string());
    }

    void validMetricNamesAreAccepted()
    {
        MetricsRegistry registry;
        registry.counter("_x", "X.");
        registry.counter(":y", "Y.");
        registry.counter("ns:sub_system_total9", "Z.");
        registry.gauge("CamelCase", "C.");
        QCOMPARE(occurrences(registry.renderPrometheus(), "# TYPE "), std::size_t(4));
    }

    void invalidLabelsThrow()
    {
        MetricsRegistry registry;
        QVERIFY_THROWS_EXCEPTION(std::logic_error, registry.counter("a_total", "A.", {{"", "v"}}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 registry.counter("a_total", "A.", {{"bad-name", "v"}}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 registry.counter("a_total", "A.", {{"a:b", "v"}}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 registry.counter("a_total", "A.", {{"__reserved", "v"}}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 registry.counter("a_total", "A.", {{"k", "1"}, {"k", "2"}}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 registry.histogram("h_seconds", "H.", {{"le", "1"}}));
        QCOMPARE(registry.renderPrometheus(), std::string());
    }

    void concurrentUpdatesAreNotLost()
    {
        MetricsRegistry registry;
        constexpr int kThreads = 4;
        constexpr int kPerThread = 20000;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&registry] {
                Counter &c = registry.counter("hits_total", "Hits.");
                Gauge &g = registry.gauge("level", "Level.");
                Histogram &h = registry.histogram("wait_seconds", "Wait.", {}, {0.5});
                for (int i = 0; i < kPerThread; ++i) {
                    c.inc();
                    g.inc(2);
                    g.dec();
                    h.observe(i % 2 == 0 ? 0.25 : 1.0);
                }
            });
        }
        for (auto &thread : threads)
            thread.join();
        QCOMPARE(registry.counter("hits_total", "").value(), double(kThreads * kPerThread));
        QCOMPARE(registry.gauge("level", "").value(), double(kThreads * kPerThread));
        Histogram &h = registry.histogram("wait_seconds", "", {}, {0.5});
        QCOMPARE(h.count(), std::uint64_t(kThreads * kPerThread));
        QCOMPARE(h.bucketCount(0), std::uint64_t(kThreads * kPerThread / 2));
        QCOMPARE(h.sum(), kThreads * kPerThread / 2 * 1.25);
    }

    void promtoolAcceptsTheOutput()
    {
        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        if (promtool.isEmpty())
            QFAIL("promtool is not installed (installer/install-deps.sh installs it)");

        MetricsRegistry registry;
        registry
            .counter("http_requests_total", "HTTP requests served.",
                     {{"method", "GET"}, {"route", "/items/{id}"}, {"code", "200"}})
            .inc(41);
        registry
            .counter("http_requests_total", "HTTP requests served.",
                     {{"method", "POST"}, {"route", "/items"}, {"code", "500"}})
            .inc();
        registry.counter("content_published_total", "Content items published.").inc(3);
        registry
            .counter("odd_labels_total", "Label values needing \\ escapes\nin help.",
                     {{"value", "back\\slash \"quote\"\nnewline"}})
            .inc();
        registry.gauge("http_requests_in_flight", "Requests being served.").set(2);
        registry.gauge("cache_hit_ratio", "Share of cache hits.").set(0.875);
        Histogram &latency = registry.histogram("http_request_duration_seconds", "Request latency.",
                                                {{"method", "GET"}, {"route", "/items/{id}"}});
        for (double v : {0.0003, 0.004, 0.02, 0.3, 2.0, 12.0})
            latency.observe(v);
        registry.histogram("http_request_duration_seconds", "Request latency.",
                           {{"method", "POST"}, {"route", "/items"}});
        registry
            .histogram("sync_batch_size_bytes", "Bytes per sync batch.", {}, {1024, 65536, 1048576})
            .observe(5000);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("metrics.prom"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const std::string text = registry.renderPrometheus();
        QCOMPARE(file.write(text.data(), qint64(text.size())), qint64(text.size()));
        file.close();

        QProcess process;
        process.setStandardInputFile(path);
        process.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(process.waitForFinished(30000));
        const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
        QVERIFY2(process.exitStatus() == QProcess::NormalExit, output.constData());
        QVERIFY2(process.exitCode() == 0,
                 (output + "\n" + QByteArray::fromStdString(text)).constData());
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
