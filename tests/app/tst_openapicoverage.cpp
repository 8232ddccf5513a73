// SPDX-License-Identifier: MIT
// Proves resources/openapi.json and the server's routes agree: every route
// the host registers is documented (method and path), every documented
// operation is registered, and the documented path parameters are the
// routes' parameters with their types. HEAD and OPTIONS, which the server
// answers for every path, are not routes of their own.
#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <map>
#include <memory>

using namespace colophon;

namespace {

// "GET /api/v1/users/{id}": one operation, as the document names it.
using Operation = QPair<QString, QString>;

QString describe(const Operation &op)
{
    return op.first.toUpper() + u' ' + op.second;
}

// "/api/v1/users/{id:uuid}" -> "/api/v1/users/{id}", with each parameter's
// router type ("", "int" or "uuid") by name.
QString documentedPath(const std::string &pattern, std::map<QString, QString> *types = nullptr)
{
    static const QRegularExpression parameter(QStringLiteral("\\{([^}:]+)(?::([^}]*))?\\}"));
    const QString text = QString::fromStdString(pattern);
    QString path;
    qsizetype from = 0;
    for (auto it = parameter.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        path += text.mid(from, m.capturedStart() - from);
        path += u'{' + m.captured(1) + u'}';
        if (types) {
            (*types)[m.captured(1)] = m.captured(2);
        }
        from = m.capturedEnd();
    }
    return path + text.mid(from);
}

bool isOperationKey(const QString &key)
{
    static const QSet<QString> methods{QStringLiteral("get"),     QStringLiteral("put"),
                                       QStringLiteral("post"),    QStringLiteral("delete"),
                                       QStringLiteral("patch"),   QStringLiteral("head"),
                                       QStringLiteral("options"), QStringLiteral("trace")};
    return methods.contains(key);
}

} // namespace

class TestOpenApiCoverage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        defineHostConfig(m_config);
        QVERIFY(m_config.set(QStringLiteral("data_dir"), m_dir.filePath(QStringLiteral("data"))));
        QVERIFY(m_config.set(QStringLiteral("log_level"), QStringLiteral("warn")));
        m_logger.setLevel(LogLevel::Warn);
        auto host = ServiceHost::open(HostRole::Server, m_config, m_logger, m_metrics);
        QVERIFY2(host, qPrintable(host ? QString() : host.error().message));
        m_host = std::move(*host);
        QVERIFY2(m_host->users(), "the host opened without the user service");
        m_host->registerRoutes(m_router);

        const QString file = test::sourceDir() + QStringLiteral("/resources/openapi.json");
        QFile in(file);
        QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(file));
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(in.readAll(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        m_api = doc.object();
        QVERIFY(!m_api.value(QLatin1String("paths")).toObject().isEmpty());
    }

    void everyRegisteredRouteIsDocumented()
    {
        const QJsonObject paths = m_api.value(QLatin1String("paths")).toObject();
        QStringList missing;
        int checked = 0;
        for (const auto &[method, pattern] : m_router.routes()) {
            if (method == HttpMethod::Head || method == HttpMethod::Options) {
                continue;
            }
            const Operation op{QString::fromLatin1(methodName(method)).toLower(),
                               documentedPath(pattern)};
            ++checked;
            if (!paths.value(op.second).toObject().contains(op.first)) {
                missing << describe(op) + QStringLiteral(" (route ") +
                               QString::fromStdString(pattern) + u')';
            }
        }
        QVERIFY2(checked > 0, "the host registered no routes");
        QVERIFY2(
            missing.isEmpty(),
            qPrintable(QStringLiteral("%1 registered route(s) missing from openapi.json:\n  %2")
                           .arg(missing.size())
                           .arg(missing.join(QLatin1String("\n  ")))));
        qInfo("%d registered routes are documented", checked);
    }

    void everyDocumentedOperationIsRegistered()
    {
        QSet<Operation> registered;
        for (const auto &[method, pattern] : m_router.routes()) {
            registered.insert(
                {QString::fromLatin1(methodName(method)).toLower(), documentedPath(pattern)});
        }
        const QJsonObject paths = m_api.value(QLatin1String("paths")).toObject();
        QStringList unknown;
        for (auto path = paths.begin(); path != paths.end(); ++path) {
            const QJsonObject item = path.value().toObject();
            for (auto op = item.begin(); op != item.end(); ++op) {
                if (isOperationKey(op.key()) && !registered.contains({op.key(), path.key()})) {
                    unknown << describe({op.key(), path.key()});
                }
            }
        }
        QVERIFY2(unknown.isEmpty(),
                 qPrintable(QStringLiteral("documented but not registered:\n  ") +
                            unknown.join(QLatin1String("\n  "))));
    }

    void documentedPathParametersAreTheRoutesParametersWithTheirTypes()
    {
        const QJsonObject paths = m_api.value(QLatin1String("paths")).toObject();
        QStringList wrong;
        for (const auto &[method, pattern] : m_router.routes()) {
            if (method == HttpMethod::Head || method == HttpMethod::Options) {
                continue;
            }
            std::map<QString, QString> types;
            const QString path = documentedPath(pattern, &types);
            const QString name = QString::fromLatin1(methodName(method)).toLower();
            const QJsonObject item = paths.value(path).toObject();
            if (!item.contains(name)) {
                continue; // reported by everyRegisteredRouteIsDocumented
            }
            const Operation op{name, path};
            // Path-level parameters first; the operation's override by name.
            std::map<QString, QJsonObject> declared;
            for (const QJsonArray &list :
                 {item.value(QLatin1String("parameters")).toArray(),
                  item.value(name).toObject().value(QLatin1String("parameters")).toArray()}) {
                for (const QJsonValue &value : list) {
                    const QJsonObject p = resolve(value.toObject());
                    if (p.value(QLatin1String("in")).toString() == QLatin1String("path")) {
                        declared[p.value(QLatin1String("name")).toString()] = p;
                    }
                }
            }
            for (const auto &[param, type] : types) {
                const auto found = declared.find(param);
                if (found == declared.end()) {
                    wrong << describe(op) + QStringLiteral(": path parameter ") + param +
                                 QStringLiteral(" is not declared");
                    continue;
                }
                const QJsonObject schema =
                    resolve(found->second.value(QLatin1String("schema")).toObject());
                const QString schemaType = schema.value(QLatin1String("type")).toString();
                const QString format = schema.value(QLatin1String("format")).toString();
                const bool matches =
                    type == QLatin1String("uuid")
                        ? schemaType == QLatin1String("string") && format == QLatin1String("uuid")
                    : type == QLatin1String("int") ? schemaType == QLatin1String("integer")
                                                   : schemaType == QLatin1String("string");
                if (!matches) {
                    wrong << describe(op) + QStringLiteral(": path parameter ") + param +
                                 QStringLiteral(" is {%1:%2} in the route but %3%4 in the document")
                                     .arg(param, type, schemaType,
                                          format.isEmpty() ? QString() : u'/' + format);
                }
                if (!found->second.value(QLatin1String("required")).toBool()) {
                    wrong << describe(op) + QStringLiteral(": path parameter ") + param +
                                 QStringLiteral(" is not marked required");
                }
            }
            for (const auto &entry : declared) {
                if (!types.contains(entry.first)) {
                    wrong << describe(op) + QStringLiteral(": declares path parameter ") +
                                 entry.first + QStringLiteral(" that the route does not have");
                }
            }
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(u'\n')));
    }

private:
    // Follows a local "$ref" (#/components/...) to what it names.
    QJsonObject resolve(QJsonObject object) const
    {
        for (int depth = 0; depth < 8 && object.contains(QLatin1String("$ref")); ++depth) {
            const QString ref = object.value(QLatin1String("$ref")).toString();
            if (!ref.startsWith(QLatin1String("#/"))) {
                return {};
            }
            QJsonValue at = m_api;
            for (const QString &part : ref.mid(2).split(u'/')) {
                at = at.toObject().value(part);
            }
            object = at.toObject();
        }
        return object;
    }

    QTemporaryDir m_dir;
    Config m_config;
    Logger m_logger{"tst_openapicoverage"};
    MetricsRegistry m_metrics;
    std::unique_ptr<ServiceHost> m_host;
    Router m_router;
    QJsonObject m_api;
};

QTEST_GUILESS_MAIN(TestOpenApiCoverage)
#include "tst_openapicoverage.moc"
