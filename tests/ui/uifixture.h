// SPDX-License-Identifier: MIT
// A console over a real replica in a temporary folder, for the UI tests:
// the same ServiceHost the console opens, a ServiceGateway over it, and
// helpers to make accounts, sign in, and answer modal dialogs.
#pragma once

#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/events/eventbus.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"
#include "ui/core/servicegateway.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <memory>

namespace colophon::test {

inline const QString kUiPassword = QStringLiteral("correct horse battery staple");

class UiReplica
{
public:
    UiReplica()
    {
        defineHostConfig(m_config);
        m_config.set(QStringLiteral("data_dir"), m_dir.filePath(QStringLiteral("data")));
        m_config.set(QStringLiteral("log_level"), QStringLiteral("warn"));
        // The smallest argon2id cost libsodium accepts: tests sign in often.
        m_config.set(QStringLiteral("auth.argon2_ops"), QStringLiteral("1"));
        m_config.set(QStringLiteral("auth.argon2_mem_kib"), QStringLiteral("8"));
        m_logger.setLevel(LogLevel::Warn);
        auto host = ServiceHost::open(HostRole::Desktop, m_config, m_logger, m_metrics);
        if (!host) {
            qFatal("cannot open the replica: %s", qPrintable(host.error().message));
        }
        m_host = std::move(*host);
        m_host->eventBus()->start();
        m_gateway = std::make_unique<ServiceGateway>(services());
    }
    ~UiReplica()
    {
        m_gateway.reset();
        m_host.reset();
    }

    ConsoleServices services()
    {
        return {&m_host->database(), m_host->eventLog(), m_host->eventBus(),
                m_host->users(),     m_host->content(),  m_host->dataDir()};
    }
    ServiceHost &host() { return *m_host; }
    ServiceGateway &gateway() { return *m_gateway; }
    UserService &users() { return *m_host->users(); }
    ContentService &content() { return *m_host->content(); }
    QString dataDir() const { return m_host->dataDir(); }

    User addUser(const QString &email, Role role, const QString &password = kUiPassword)
    {
        auto user = users().createUser(
            Actor::system(), {email, password, QStringLiteral("Test"), roleName(role), role});
        if (!user) {
            qFatal("cannot create %s: %s", qPrintable(email), qPrintable(user.error().message));
        }
        return *user;
    }

    // Signs in through the user service (a real session) and makes the
    // gateway act as that user.
    Actor signIn(const QString &email, const QString &password = kUiPassword)
    {
        auto login = users().login(email, password, {QStringLiteral("local"), {}});
        if (!login || !login->tokens) {
            qFatal("cannot sign in %s", qPrintable(email));
        }
        auto actor = users().authenticate(login->tokens->accessToken);
        auto user = users().me(*actor);
        m_gateway->setSignedIn(*user, *actor);
        return *actor;
    }

    // A user of the role, made on first use, signed in.
    Actor signInAs(Role role)
    {
        const QString email = roleName(role) + QStringLiteral("@example.org");
        if (!users().localActor(email)) {
            addUser(email, role);
        }
        return signIn(email);
    }

    // Processes events until the gateway has delivered everything queued.
    bool settle(int timeoutMs = 10000) { return m_gateway->waitForIdle(timeoutMs); }

private:
    QTemporaryDir m_dir;
    Config m_config;
    Logger m_logger{"colophon-ui-test"};
    MetricsRegistry m_metrics;
    std::unique_ptr<ServiceHost> m_host;
    std::unique_ptr<ServiceGateway> m_gateway;
};

// The named child of root, failing the test run when there is none.
template <typename T> T *child(const QObject *root, const char *name)
{
    T *found = root->findChild<T *>(QLatin1String(name));
    if (!found) {
        qFatal("no %s named %s", T::staticMetaObject.className(), name);
    }
    return found;
}
template <typename T> T *child(const QObject &root, const char *name)
{
    return child<T>(&root, name);
}

// Answers the next modal dialog (a QMessageBox, a QInputDialog, one of
// ours) with answer(dialog) once it is shown; polls for up to timeoutMs.
inline void answerNextModal(std::function<void(QWidget *)> answer, int timeoutMs = 5000)
{
    auto *timer = new QTimer;
    auto remaining = std::make_shared<int>(timeoutMs / 20);
    QObject::connect(timer, &QTimer::timeout, [timer, answer, remaining] {
        QWidget *modal = QApplication::activeModalWidget();
        if (modal && modal->isVisible()) {
            timer->stop();
            timer->deleteLater();
            answer(modal);
        } else if (--*remaining <= 0) {
            timer->stop();
            timer->deleteLater();
        }
    });
    timer->start(20);
}

inline bool isControl(QWidget *w)
{
    return qobject_cast<QAbstractButton *>(w) || qobject_cast<QLineEdit *>(w) ||
           qobject_cast<QComboBox *>(w) || qobject_cast<QAbstractItemView *>(w) ||
           qobject_cast<QPlainTextEdit *>(w) || qobject_cast<QTextEdit *>(w) ||
           qobject_cast<QAbstractSpinBox *>(w);
}

// The controls under root without a name assistive technology can read,
// described for a report; checked counts the controls looked at.
inline QStringList unnamed(QWidget *root, int *checked = nullptr)
{
    QSet<QWidget *> buddies;
    for (QLabel *label : root->findChildren<QLabel *>()) {
        if (label->buddy()) {
            buddies.insert(label->buddy());
        }
    }
    QStringList missing;
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (!isControl(w) || !w->isVisibleTo(root) || !w->focusPolicy()) {
            continue;
        }
        // Parts of a composite control (a combo's line edit, a spin box's
        // editor, a view's scroll bars) are named by the control itself.
        if (qobject_cast<QComboBox *>(w->parentWidget()) ||
            qobject_cast<QAbstractSpinBox *>(w->parentWidget())) {
            continue;
        }
        if (checked) {
            ++*checked;
        }
        const auto *button = qobject_cast<QAbstractButton *>(w);
        const bool named = !w->accessibleName().isEmpty() || buddies.contains(w) ||
                           (button && !button->text().remove(u'&').trimmed().isEmpty());
        if (!named) {
            missing << QStringLiteral("%1 '%2' in %3")
                           .arg(QLatin1String(w->metaObject()->className()), w->objectName(),
                                w->parentWidget() ? w->parentWidget()->objectName() : QString());
        }
    }
    return missing;
}

} // namespace colophon::test
