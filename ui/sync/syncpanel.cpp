// SPDX-License-Identifier: MIT
#include "ui/sync/syncpanel.h"

#include "services/content/contentservice.h"
#include "ui/activity/eventdescription.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"
#include "ui/sync/synccontroller.h"

#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace colophon {

namespace {

QString whenOf(const Event &e)
{
    const qint64 ms = e.recordedAtMs > 0 ? e.recordedAtMs : e.hlc.physicalMs;
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(ms);
    return at.date() == QDate::currentDate() ? QLocale().toString(at.time(), QLocale::ShortFormat)
                                             : QLocale().toString(at, QLocale::ShortFormat);
}

QString itemOf(const SyncDetails::Row &row)
{
    return row.title.isEmpty() ? shortId(eventStreamId(row.event.stream)) : row.title;
}

QString reasonOf(const Event &e)
{
    const auto &r = e.rejection;
    if (r.is_object() && r.contains("message") && r["message"].is_string()) {
        return QString::fromStdString(r["message"].get<std::string>());
    }
    return r.is_null() ? QString() : QString::fromStdString(r.dump());
}

QTreeWidget *newList(const QStringList &headers, const QString &name, QWidget *parent)
{
    auto *list = new QTreeWidget(parent);
    list->setObjectName(name);
    list->setHeaderLabels(headers);
    list->setRootIsDecorated(false);
    list->setUniformRowHeights(true);
    list->setAlternatingRowColors(true);
    list->header()->setStretchLastSection(true);
    return list;
}

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

SyncPanel::SyncPanel(ServiceGateway &gateway, SyncController &sync, QWidget *parent)
    : ConsolePage(parent), m_gateway(gateway), m_sync(sync), m_pages(new QStackedWidget(this)),
      m_connect(new QPushButton(tr("&Connect to a server…"))), m_serverLabel(new QLabel(this)),
      m_accountLabel(new QLabel(this)), m_stateLabel(new QLabel(this)),
      m_lastSynced(new QLabel(this)), m_tokenWarning(new MessageBar(this)),
      m_notice(new MessageBar(this)), m_syncNow(new QPushButton(tr("Sync &now"))),
      m_disconnect(new QPushButton(tr("&Disconnect…"))), m_tabs(new QTabWidget(this)),
      m_pending(
          newList({tr("Change"), tr("Item"), tr("Made")}, QStringLiteral("pendingList"), this)),
      m_refused(
          newList({tr("Change"), tr("Item"), tr("Reason")}, QStringLiteral("refusedList"), this)),
      m_conflicts(new QListWidget(this)), m_kept(new QPlainTextEdit(this)),
      m_losing(new QPlainTextEdit(this)), m_keep(new QPushButton(tr("&Keep this"))),
      m_useOther(new QPushButton(tr("&Use the other"))), m_errors(new QListWidget(this))
{
    // Before pairing.
    auto *unpaired = new QWidget(m_pages);
    unpaired->setObjectName(QStringLiteral("notPairedPage"));
    auto *intro = new QLabel(
        tr("This console keeps its own replica and works offline. Connect it to a Colophon "
           "server to send your changes there and receive everyone else's; you sign in on the "
           "server's page in your browser."),
        unpaired);
    intro->setWordWrap(true);
    m_connect->setObjectName(QStringLiteral("connectButton"));
    auto *unpairedLayout = new QVBoxLayout(unpaired);
    unpairedLayout->addWidget(heading(tr("Not connected to a server"), unpaired));
    unpairedLayout->addWidget(intro);
    auto *connectRow = new QHBoxLayout;
    connectRow->addWidget(m_connect);
    connectRow->addStretch();
    unpairedLayout->addLayout(connectRow);
    unpairedLayout->addStretch();

    // Once paired.
    auto *paired = new QWidget(m_pages);
    paired->setObjectName(QStringLiteral("pairedPage"));
    m_serverLabel->setObjectName(QStringLiteral("serverLabel"));
    m_accountLabel->setObjectName(QStringLiteral("accountLabel"));
    m_stateLabel->setObjectName(QStringLiteral("syncState"));
    m_lastSynced->setObjectName(QStringLiteral("lastSynced"));
    for (QLabel *label : {m_serverLabel, m_accountLabel, m_stateLabel, m_lastSynced}) {
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_tokenWarning->setObjectName(QStringLiteral("tokenWarning"));
    m_notice->setObjectName(QStringLiteral("syncNotice"));
    m_syncNow->setObjectName(QStringLiteral("syncNowButton"));
    m_disconnect->setObjectName(QStringLiteral("disconnectButton"));
    auto *facts = new QFormLayout;
    facts->addRow(tr("Server:"), m_serverLabel);
    facts->addRow(tr("Account:"), m_accountLabel);
    facts->addRow(tr("State:"), m_stateLabel);
    facts->addRow(tr("Last synced:"), m_lastSynced);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_syncNow);
    actions->addWidget(m_disconnect);
    actions->addStretch();

    m_pending->setAccessibleName(tr("Changes waiting to be sent"));
    m_refused->setAccessibleName(tr("Changes the server refused"));
    m_conflicts->setObjectName(QStringLiteral("conflictList"));
    m_conflicts->setAccessibleName(tr("Conflicts"));
    m_kept->setObjectName(QStringLiteral("keptText"));
    m_kept->setAccessibleName(tr("The text kept"));
    m_kept->setReadOnly(true);
    m_losing->setObjectName(QStringLiteral("losingText"));
    m_losing->setAccessibleName(tr("The other text"));
    m_losing->setReadOnly(true);
    m_keep->setObjectName(QStringLiteral("keepButton"));
    m_keep->setToolTip(tr("Keep the text the item has now; the other text is dropped."));
    m_useOther->setObjectName(QStringLiteral("useOtherButton"));
    m_useOther->setToolTip(tr("Make the other text the item's body."));
    m_errors->setObjectName(QStringLiteral("errorList"));
    m_errors->setAccessibleName(tr("Latest sync errors"));
    m_tabs->setObjectName(QStringLiteral("syncTabs"));

    auto *conflictPage = new QWidget(m_tabs);
    auto *texts = new QSplitter(Qt::Horizontal, conflictPage);
    texts->setObjectName(QStringLiteral("conflictTexts"));
    texts->setChildrenCollapsible(false);
    for (auto [edit, title] : {std::pair{m_kept, tr("Kept")}, {m_losing, tr("The other")}}) {
        auto *side = new QWidget(texts);
        auto *sideLayout = new QVBoxLayout(side);
        sideLayout->setContentsMargins(0, 0, 0, 0);
        auto *label = new QLabel(title, side);
        label->setBuddy(edit);
        sideLayout->addWidget(label);
        edit->setParent(side);
        sideLayout->addWidget(edit);
    }
    auto *resolveRow = new QHBoxLayout;
    resolveRow->addStretch();
    resolveRow->addWidget(m_keep);
    resolveRow->addWidget(m_useOther);
    auto *conflictLayout = new QVBoxLayout(conflictPage);
    conflictLayout->addWidget(m_conflicts, 1);
    conflictLayout->addWidget(texts, 2);
    conflictLayout->addLayout(resolveRow);

    m_tabs->addTab(m_pending, QString());
    m_tabs->addTab(m_refused, QString());
    m_tabs->addTab(conflictPage, QString());
    m_tabs->addTab(m_errors, tr("Errors"));

    auto *pairedLayout = new QVBoxLayout(paired);
    pairedLayout->addWidget(heading(tr("Sync"), paired));
    pairedLayout->addLayout(facts);
    pairedLayout->addWidget(m_tokenWarning);
    pairedLayout->addWidget(m_notice);
    pairedLayout->addLayout(actions);
    pairedLayout->addWidget(m_tabs, 1);

    m_pages->addWidget(unpaired);
    m_pages->addWidget(paired);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages);

    connect(m_connect, &QPushButton::clicked, this, &SyncPanel::openConnectDialog);
    connect(m_syncNow, &QPushButton::clicked, &m_sync, &SyncController::syncNow);
    connect(m_disconnect, &QPushButton::clicked, this, &SyncPanel::disconnectFromServer);
    connect(m_conflicts, &QListWidget::currentRowChanged, this, &SyncPanel::showConflict);
    connect(m_keep, &QPushButton::clicked, this, [this] { resolveConflict(false); });
    connect(m_useOther, &QPushButton::clicked, this, [this] { resolveConflict(true); });
    connect(&m_sync, &SyncController::stateChanged, this, &SyncPanel::updateState);
    connect(&m_sync, &SyncController::pairedChanged, this, &SyncPanel::updateState);
    connect(&m_sync, &SyncController::detailsChanged, this, &SyncPanel::updateDetails);
    connect(&m_sync, &SyncController::synced, this, [this](const QStringList &refusals) {
        if (!refusals.isEmpty()) {
            m_notice->showMessage(MessageBar::Kind::Warning,
                                  tr("The server refused %n change(s), undone here: %1", nullptr,
                                     int(refusals.size()))
                                      .arg(refusals.join(QStringLiteral("; "))));
        }
    });
    connect(&m_sync, &SyncController::disconnected, this, [this](const QString &problem) {
        m_notice->clear();
        if (!problem.isEmpty()) {
            m_notice->showMessage(MessageBar::Kind::Error, problem);
        }
    });
    updateState();
    updateDetails();
}

void SyncPanel::pageShown()
{
    if (m_sync.isPaired()) {
        m_sync.refreshDetails();
    }
}

ConnectDialog *SyncPanel::openConnectDialog()
{
    if (m_dialog) {
        m_dialog->raise();
        m_dialog->activateWindow();
        return m_dialog;
    }
    m_dialog = new ConnectDialog(m_sync, this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_opener) {
        m_dialog->setUrlOpener(m_opener);
    }
    m_dialog->open();
    return m_dialog;
}

void SyncPanel::updateState()
{
    const bool paired = m_sync.isPaired();
    m_pages->setCurrentIndex(paired ? 1 : 0);
    if (!paired) {
        return;
    }
    m_serverLabel->setText(m_sync.server());
    const auto account = m_sync.account();
    m_accountLabel->setText(account ? tr("%1 (%2)").arg(m_sync.email(), roleName(account->role))
                                    : m_sync.email());
    m_stateLabel->setText(m_sync.stateText());
    m_stateLabel->setToolTip(m_sync.errorDetail());
    const QDateTime last = m_sync.lastSynced();
    m_lastSynced->setText(last.isValid() ? QLocale().toString(last, QLocale::ShortFormat)
                                         : tr("not yet"));
    const QString warning = m_sync.tokenWarning();
    if (warning.isEmpty()) {
        m_tokenWarning->clear();
    } else if (m_tokenWarning->text() != warning) {
        m_tokenWarning->showMessage(MessageBar::Kind::Warning, warning);
    }
    m_syncNow->setEnabled(m_sync.state() != SyncController::State::Connecting);
    const QStringList errors = m_sync.lastErrors();
    if (m_errors->count() != errors.size() ||
        (m_errors->count() > 0 && m_errors->item(0)->text() != errors.value(0))) {
        m_errors->clear();
        m_errors->addItems(errors);
    }
    m_tabs->setTabText(3, errors.isEmpty() ? tr("Errors") : tr("Errors (%1)").arg(errors.size()));
}

void SyncPanel::updateDetails()
{
    const SyncDetails &d = m_sync.details();
    m_pending->clear();
    for (const auto &row : d.pending) {
        auto *item = new QTreeWidgetItem(
            m_pending, {eventDescription(row.event), itemOf(row), whenOf(row.event)});
        item->setToolTip(1, row.event.stream);
    }
    m_refused->clear();
    for (const auto &row : d.refused) {
        auto *item = new QTreeWidgetItem(
            m_refused, {eventDescription(row.event), itemOf(row), reasonOf(row.event)});
        item->setToolTip(2, reasonOf(row.event));
    }
    const QString current = m_conflicts->currentItem()
                                ? m_conflicts->currentItem()->data(Qt::UserRole).toString()
                                : QString();
    m_conflicts->blockSignals(true);
    m_conflicts->clear();
    int select = d.conflicts.empty() ? -1 : 0;
    for (size_t i = 0; i < d.conflicts.size(); ++i) {
        const auto &c = d.conflicts[i];
        const QString title = c.title.isEmpty() ? shortId(c.conflict.contentId) : c.title;
        auto *item = new QListWidgetItem(
            tr("%1 — %2, %3")
                .arg(title, c.conflict.field,
                     QLocale().toString(QDateTime::fromMSecsSinceEpoch(c.conflict.recordedAtMs),
                                        QLocale::ShortFormat)),
            m_conflicts);
        item->setData(Qt::UserRole, c.conflict.id);
        if (c.conflict.id == current) {
            select = int(i);
        }
    }
    m_conflicts->blockSignals(false);
    m_conflicts->setCurrentRow(select);
    showConflict();
    m_tabs->setTabText(0, tr("Waiting to be sent (%1)").arg(d.pendingCount));
    m_tabs->setTabText(1, tr("Refused (%1)").arg(d.refused.size()));
    m_tabs->setTabText(2, tr("Conflicts (%1)").arg(d.conflicts.size()));
}

void SyncPanel::showConflict()
{
    const int row = m_conflicts->currentRow();
    const auto &conflicts = m_sync.details().conflicts;
    const bool any = row >= 0 && row < int(conflicts.size());
    m_kept->setPlainText(any ? conflicts[size_t(row)].conflict.keptText : QString());
    m_losing->setPlainText(any ? conflicts[size_t(row)].conflict.losingText : QString());
    m_keep->setEnabled(any);
    m_useOther->setEnabled(any);
}

void SyncPanel::resolveConflict(bool useOther)
{
    const int row = m_conflicts->currentRow();
    const auto &conflicts = m_sync.details().conflicts;
    if (row < 0 || row >= int(conflicts.size())) {
        return;
    }
    const ContentConflict conflict = conflicts[size_t(row)].conflict;
    m_keep->setEnabled(false);
    m_useOther->setEnabled(false);
    const Actor actor = m_gateway.actor();
    m_gateway.run(
        this,
        [&content = m_gateway.content(), actor, conflict, useOther] {
            return content.resolveConflict(actor, conflict.contentId, conflict.id,
                                           useOther ? std::optional<QString>(conflict.losingText)
                                                    : std::nullopt);
        },
        [this](Result<void> resolved) {
            if (!resolved) {
                m_notice->showError(resolved.error(), tr("Could not settle the conflict"));
                showConflict();
                return;
            }
            m_notice->showMessage(MessageBar::Kind::Success, tr("Conflict settled."));
            m_sync.refreshDetails();
        });
}

void SyncPanel::disconnectFromServer()
{
    QMessageBox ask(QMessageBox::Question, tr("Disconnect from the server?"),
                    tr("Disconnect this console from %1? It signs out there and stops syncing; "
                       "what is on this computer stays, and changes not yet sent wait here.")
                        .arg(m_sync.server()),
                    QMessageBox::NoButton, this);
    ask.setObjectName(QStringLiteral("confirmDisconnect"));
    auto *yes = ask.addButton(tr("&Disconnect"), QMessageBox::DestructiveRole);
    ask.addButton(QMessageBox::Cancel);
    ask.exec();
    if (ask.clickedButton() == yes) {
        m_sync.disconnectFromServer();
    }
}

} // namespace colophon
