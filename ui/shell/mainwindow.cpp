// SPDX-License-Identifier: MIT
#include "ui/shell/mainwindow.h"

#include "backend/events/eventlog.h"
#include "ui/activity/activitypage.h"
#include "ui/core/consolepage.h"
#include "ui/core/servicegateway.h"
#include "ui/shell/contentsection.h"
#include "ui/sync/synccontroller.h"
#include "ui/sync/syncpanel.h"
#include "ui/taxonomy/taxonomypage.h"
#include "ui/users/accountpage.h"
#include "ui/users/userspage.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QUrl>

namespace colophon {

namespace {

QIcon sectionIcon(const QString &themeName, QStyle::StandardPixmap fallback)
{
    return QIcon::fromTheme(themeName, QApplication::style()->standardIcon(fallback));
}

} // namespace

MainWindow::MainWindow(ServiceGateway &gateway, const QString &settingsFile, QWidget *parent)
    : MainWindow(gateway, settingsFile, nullptr, parent)
{
}

MainWindow::MainWindow(ServiceGateway &gateway, const QString &settingsFile, SyncController &sync,
                       QWidget *parent)
    : MainWindow(gateway, settingsFile, &sync, parent)
{
}

MainWindow::MainWindow(ServiceGateway &gateway, const QString &settingsFile, SyncController *sync,
                       QWidget *parent)
    : QMainWindow(parent), m_gateway(gateway), m_sync(sync),
      m_settings(new QSettings(settingsFile, QSettings::IniFormat, this)),
      m_splitter(new QSplitter(Qt::Horizontal, this)), m_navigation(new QListWidget(m_splitter)),
      m_stack(new QStackedWidget(m_splitter)), m_userStatus(new QLabel(this)),
      m_replicaStatus(new QLabel(this)), m_busy(new QLabel(this)), m_replicaTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Colophon"));
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setAccessibleName(tr("Sections"));
    m_navigation->setIconSize(QSize(20, 20));
    m_navigation->setSpacing(2);
    m_navigation->setMinimumWidth(150);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_stack->setObjectName(QStringLiteral("sections"));
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setStretchFactor(1, 1);
    setCentralWidget(m_splitter);

    addSection(QStringLiteral("content"), tr("Content"), QStringLiteral("document-edit"),
               new ContentSection(gateway, m_stack));
    addSection(QStringLiteral("taxonomy"), tr("Categories && tags"), QStringLiteral("folder-tag"),
               new TaxonomyPage(gateway, m_stack));
    if (gateway.may(Action::EventLogRead)) {
        addSection(QStringLiteral("activity"), tr("Activity"), QStringLiteral("view-history"),
                   new ActivityPage(gateway, m_stack));
    }
    if (gateway.may(Action::UserList)) {
        addSection(QStringLiteral("users"), tr("Users"), QStringLiteral("system-users"),
                   new UsersPage(gateway, m_stack));
    }
    addSection(QStringLiteral("account"), tr("My account"), QStringLiteral("user-identity"),
               new AccountPage(gateway, m_stack));
    if (m_sync) {
        addSection(QStringLiteral("sync"), tr("Sync"), QStringLiteral("view-refresh"),
                   new SyncPanel(gateway, *m_sync, m_stack));
    }

    connect(m_navigation, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0) {
            return;
        }
        m_stack->setCurrentIndex(row);
        if (auto *page = currentPage()) {
            page->pageShown();
        }
    });

    m_userStatus->setObjectName(QStringLiteral("userStatus"));
    m_replicaStatus->setObjectName(QStringLiteral("replicaStatus"));
    m_busy->setObjectName(QStringLiteral("busyStatus"));
    statusBar()->addWidget(m_userStatus);
    statusBar()->addWidget(m_replicaStatus, 1);
    statusBar()->addPermanentWidget(m_busy);
    connect(&gateway, &ServiceGateway::busyChanged, this,
            [this](bool busy) { m_busy->setText(busy ? tr("Working…") : QString()); });
    connect(&gateway, &ServiceGateway::signedInChanged, this, &MainWindow::updateUserStatus);
    connect(&gateway, &ServiceGateway::accountChanged, this, &MainWindow::updateUserStatus);
    // The event count follows commits, read at most twice a second.
    m_replicaTimer->setSingleShot(true);
    m_replicaTimer->setInterval(500);
    connect(m_replicaTimer, &QTimer::timeout, this, &MainWindow::refreshReplicaStatus);
    connect(&gateway, &ServiceGateway::eventCommitted, m_replicaTimer,
            [this] { m_replicaTimer->isActive() ? void() : m_replicaTimer->start(); });
    if (m_sync) {
        connect(m_sync, &SyncController::stateChanged, this, &MainWindow::updateReplicaStatus);
        connect(m_sync, &SyncController::pairedChanged, this, &MainWindow::updateAccountSection);
        connect(&gateway, &ServiceGateway::signedInChanged, this,
                &MainWindow::updateAccountSection);
    }

    // The splitters inside the sections are kept too, each under its
    // section and its place among the section's splitters.
    for (const QString &key : std::as_const(m_keys)) {
        const auto splitters = page(key)->findChildren<QSplitter *>();
        for (int i = 0; i < splitters.size(); ++i) {
            m_pageSplitters.append({QStringLiteral("splitters/%1/%2").arg(key).arg(i),
                                    QPointer<QSplitter>(splitters.at(i))});
        }
    }

    buildMenus();
    updateUserStatus();
    refreshReplicaStatus();
    restoreSettings();
    updateAccountSection();
}

MainWindow::~MainWindow() = default;

void MainWindow::addSection(const QString &key, const QString &title, const QString &iconName,
                            ConsolePage *page)
{
    static const QHash<QString, QStyle::StandardPixmap> fallbacks{
        {QStringLiteral("content"), QStyle::SP_FileIcon},
        {QStringLiteral("taxonomy"), QStyle::SP_DirIcon},
        {QStringLiteral("activity"), QStyle::SP_FileDialogDetailedView},
        {QStringLiteral("users"), QStyle::SP_DirHomeIcon},
        {QStringLiteral("account"), QStyle::SP_ComputerIcon},
        {QStringLiteral("sync"), QStyle::SP_BrowserReload}};
    QString plain = title;
    plain.replace(QStringLiteral("&&"), QStringLiteral("&"));
    auto *item = new QListWidgetItem(sectionIcon(iconName, fallbacks.value(key)), plain);
    item->setData(Qt::UserRole, key);
    item->setData(Qt::AccessibleTextRole, plain);
    item->setSizeHint(QSize(0, 34));
    m_navigation->addItem(item);
    page->setObjectName(key + QStringLiteral("Page"));
    page->setAccessibleName(plain);
    m_stack->addWidget(page);
    m_keys << key;
}

void MainWindow::buildMenus()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    auto *newItem = file->addAction(tr("&New item"), this, [this] {
        showSection(QStringLiteral("content"));
        if (auto *page = currentPage()) {
            page->createNew();
        }
    });
    newItem->setObjectName(QStringLiteral("actionNewItem"));
    newItem->setShortcut(QKeySequence::New);
    newItem->setEnabled(m_gateway.may(Action::ContentCreate));
    auto *save = file->addAction(tr("&Save"), this, [this] {
        if (auto *page = currentPage()) {
            page->saveCurrent();
        }
    });
    save->setObjectName(QStringLiteral("actionSave"));
    save->setShortcut(QKeySequence::Save);
    file->addSeparator();
    auto *signOut = file->addAction(tr("Sign &out"), this, [this] {
        if (close()) {
            emit signOutRequested();
        }
    });
    signOut->setObjectName(QStringLiteral("actionSignOut"));
    auto *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto *edit = menuBar()->addMenu(tr("&Edit"));
    auto *find = edit->addAction(tr("&Find…"), this, [this] {
        if (auto *page = currentPage()) {
            page->focusSearch();
        }
    });
    find->setObjectName(QStringLiteral("actionFind"));
    find->setShortcut(QKeySequence::Find);

    auto *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_keys.size(); ++i) {
        const QString key = m_keys.at(i);
        auto *go =
            view->addAction(m_navigation->item(i)->text(), this, [this, key] { showSection(key); });
        go->setObjectName(QStringLiteral("actionSection_") + key);
        go->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }
    view->addSeparator();
    auto *themes = view->addMenu(tr("&Appearance"));
    m_themeGroup = new QActionGroup(this);
    const std::pair<ThemeMode, QString> modes[] = {{ThemeMode::System, tr("Follow the &system")},
                                                   {ThemeMode::Light, tr("&Light")},
                                                   {ThemeMode::Dark, tr("&Dark")}};
    for (const auto &[mode, label] : modes) {
        auto *action = themes->addAction(label, this, [this, m = mode] { setTheme(m); });
        action->setCheckable(true);
        action->setData(static_cast<int>(mode));
        action->setObjectName(QStringLiteral("actionTheme_") + themeModeName(mode));
        m_themeGroup->addAction(action);
    }

    auto *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Colophon"), this, [this] {
        QMessageBox::about(this, tr("About Colophon"),
                           tr("<h3>Colophon %1</h3><p>A local-first content platform: author "
                              "offline, publish when ready.</p><p>Replica: %2</p>")
                               .arg(QCoreApplication::applicationVersion(),
                                    m_gateway.services().dataDir.toHtmlEscaped()));
    });
}

QStringList MainWindow::sections() const
{
    return m_keys;
}

QString MainWindow::currentSection() const
{
    const int row = m_stack->currentIndex();
    return row >= 0 && row < m_keys.size() ? m_keys.at(row) : QString();
}

ConsolePage *MainWindow::page(const QString &section) const
{
    const int at = m_keys.indexOf(section);
    return at < 0 ? nullptr : qobject_cast<ConsolePage *>(m_stack->widget(at));
}

ContentSection *MainWindow::contentSection() const
{
    return qobject_cast<ContentSection *>(page(QStringLiteral("content")));
}

ConsolePage *MainWindow::currentPage() const
{
    return qobject_cast<ConsolePage *>(m_stack->currentWidget());
}

void MainWindow::showSection(const QString &section)
{
    const int at = m_keys.indexOf(section);
    if (at >= 0) {
        m_navigation->setCurrentRow(at);
    }
}

void MainWindow::setTheme(ThemeMode mode)
{
    m_theme = mode;
    applyTheme(mode);
    if (m_themeGroup) {
        for (auto *action : m_themeGroup->actions()) {
            action->setChecked(action->data().toInt() == static_cast<int>(mode));
        }
    }
    m_settings->setValue(QStringLiteral("appearance/theme"), themeModeName(mode));
}

void MainWindow::updateUserStatus()
{
    const User &user = m_gateway.user();
    const QString name = (user.firstName + QLatin1Char(' ') + user.lastName).trimmed();
    m_userStatus->setText(m_gateway.isSignedIn()
                              ? tr("Signed in as %1 (%2)")
                                    .arg(name.isEmpty() ? user.email : name, roleName(user.role))
                              : tr("Not signed in"));
    m_userStatus->setToolTip(user.email);
}

void MainWindow::refreshReplicaStatus()
{
    m_gateway.run(
        this, [&log = m_gateway.eventLog()] { return log.count(); },
        [this](Result<qint64> count) {
            const QString replica = m_gateway.eventLog().replicaId().left(8);
            m_replicaText =
                count ? tr("Local replica %1 · %2 events").arg(replica, QLocale().toString(*count))
                      : tr("Local replica %1 · cannot read the event log: %2")
                            .arg(replica, count.error().message);
            updateReplicaStatus();
        });
}

void MainWindow::updateReplicaStatus()
{
    QString sync = tr("not connected to a server");
    QString tip = m_gateway.services().dataDir;
    if (m_sync && m_sync->isPaired()) {
        const QString host = QUrl(m_sync->server()).host();
        sync = host.isEmpty() ? m_sync->stateText() : tr("%1: %2").arg(host, m_sync->stateText());
        tip += QLatin1Char('\n') + m_sync->server();
        if (!m_sync->errorDetail().isEmpty()) {
            tip += QLatin1Char('\n') + m_sync->errorDetail();
        }
    }
    m_replicaStatus->setText(m_replicaText.isEmpty() ? sync : m_replicaText + tr(" · ") + sync);
    m_replicaStatus->setToolTip(tip);
}

void MainWindow::updateAccountSection()
{
    const int at = m_keys.indexOf(QStringLiteral("account"));
    if (!m_sync || at < 0) {
        return;
    }
    const bool hidden = m_sync->localActor().has_value();
    m_navigation->item(at)->setHidden(hidden);
    if (hidden && currentSection() == QLatin1String("account")) {
        showSection(QStringLiteral("sync"));
    }
}

void MainWindow::restoreSettings()
{
    if (!restoreGeometry(m_settings->value(QStringLiteral("window/geometry")).toByteArray())) {
        resize(1280, 800);
    }
    restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray());
    if (!m_splitter->restoreState(
            m_settings->value(QStringLiteral("window/splitter")).toByteArray())) {
        m_splitter->setSizes({180, 1100});
    }
    for (const auto &[key, splitter] : std::as_const(m_pageSplitters)) {
        if (splitter) {
            splitter->restoreState(m_settings->value(key).toByteArray());
        }
    }
    const QString last = m_settings->value(QStringLiteral("window/section")).toString();
    showSection(m_keys.contains(last) ? last : m_keys.value(0));
    setTheme(parseThemeMode(m_settings->value(QStringLiteral("appearance/theme")).toString()));
}

void MainWindow::saveSettings()
{
    m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("window/state"), saveState());
    m_settings->setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    m_settings->setValue(QStringLiteral("window/section"), currentSection());
    for (const auto &[key, splitter] : std::as_const(m_pageSplitters)) {
        if (splitter) {
            m_settings->setValue(key, splitter->saveState());
        }
    }
    m_settings->sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    for (int i = 0; i < m_stack->count(); ++i) {
        auto *page = qobject_cast<ConsolePage *>(m_stack->widget(i));
        if (page && !page->confirmClose()) {
            event->ignore();
            return;
        }
    }
    saveSettings();
    event->accept();
}

} // namespace colophon
