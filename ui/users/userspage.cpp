// SPDX-License-Identifier: MIT
// UsersPage: the admins' accounts table, its filters and the detail panel.
#include "ui/users/userspage.h"

#include "backend/events/eventlog.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"
#include "ui/users/newuserdialog.h"
#include "ui/users/userformat.h"
#include "ui/users/usertablemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace colophon {

namespace {

constexpr int kActivityLines = 50;
constexpr int kSearchDelayMs = 250;
constexpr int kRefreshDelayMs = 150;

QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

QString jsonString(const nlohmann::json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j[key].is_string()
               ? QString::fromStdString(j[key].get<std::string>())
               : QString();
}

QString fullName(const User &user)
{
    const QString name = QStringLiteral("%1 %2").arg(user.firstName, user.lastName).trimmed();
    return name.isEmpty() ? user.email : name;
}

// The newest events about the account or caused by it, as readable lines,
// newest first. Runs on a worker thread.
Result<QStringList> recentActivity(ServiceGateway &gateway, const Actor &actor, const QString &id,
                                   const QString &zone)
{
    // "About it or by it" is two questions to the log; merged by sequence.
    EventQuery about;
    about.stream = QStringLiteral("user/") + id;
    about.limit = kActivityLines;
    EventQuery by;
    by.actorId = id;
    by.limit = kActivityLines;
    auto aboutEvents = gateway.eventLog().query(about);
    if (!aboutEvents) {
        return fail(aboutEvents.error());
    }
    auto byEvents = gateway.eventLog().query(by);
    if (!byEvents) {
        return fail(byEvents.error());
    }
    std::vector<Event> events = std::move(*aboutEvents);
    for (Event &e : *byEvents) {
        if (e.stream != about.stream) {
            events.push_back(std::move(e));
        }
    }
    std::sort(events.begin(), events.end(),
              [](const Event &a, const Event &b) { return a.localSeq > b.localSeq; });
    if (events.size() > size_t(kActivityLines)) {
        events.resize(kActivityLines);
    }

    userui::ActivityNames names;
    QSet<QString> people;
    QSet<QString> items;
    for (const Event &e : events) {
        if (!e.actorId.isEmpty() && e.actorId != id) {
            people.insert(e.actorId);
        }
        if (e.stream.startsWith(QLatin1String("user/")) && e.stream.mid(5) != id) {
            people.insert(e.stream.mid(5));
        }
        if (e.stream.startsWith(QLatin1String("content/"))) {
            items.insert(e.stream.mid(8));
        }
    }
    for (const QString &person : std::as_const(people)) {
        if (auto other = gateway.users().user(actor, person)) {
            names.people.insert(person, other->email);
        }
    }
    for (const QString &item : std::as_const(items)) {
        if (auto content = gateway.content().get(actor, item)) {
            names.titles.insert(item, content->title);
            continue;
        }
        // Gone (deleted): the title it was created with.
        EventQuery created;
        created.stream = QStringLiteral("content/") + item;
        created.types = {QStringLiteral("ContentCreated")};
        created.limit = 1;
        if (auto first = gateway.eventLog().query(created);
            first && !first->empty() && first->front().payload.contains("changes")) {
            names.titles.insert(item, jsonString(first->front().payload["changes"], "title"));
        }
    }
    QStringList lines;
    for (const Event &e : events) {
        const qint64 at = e.recordedAtMs > 0 ? e.recordedAtMs : e.hlc.physicalMs;
        lines << QStringLiteral("%1 — %2").arg(userui::formatTime(at, zone),
                                               userui::describeEvent(e, id, names));
    }
    return lines;
}
} // namespace

UsersPage::UsersPage(ServiceGateway &gateway, QWidget *parent)
    : ConsolePage(parent), m_gateway(gateway), m_model(new UserTableModel(gateway, this)),
      m_message(new MessageBar(this)), m_stack(new QStackedWidget(this)),
      m_notAdmin(new QLabel(this)), m_searchTimer(new QTimer(this)),
      m_refreshTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("usersPage"));
    setAccessibleName(tr("Users"));

    m_notAdmin->setObjectName(QStringLiteral("notAdmin"));
    m_notAdmin->setWordWrap(true);
    m_notAdmin->setAlignment(Qt::AlignCenter);
    m_notAdmin->setMargin(24);

    auto *adminView = new QWidget(this);
    buildAdminView(adminView);
    m_stack->addWidget(m_notAdmin);
    m_stack->addWidget(adminView);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(m_stack, 1);

    connect(m_message, &MessageBar::actionTriggered, this, [this] {
        if (auto action = std::exchange(m_messageAction, nullptr)) {
            m_message->clear();
            action();
        }
    });

    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(kSearchDelayMs);
    connect(m_searchTimer, &QTimer::timeout, this, &UsersPage::applyFilters);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(kRefreshDelayMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &UsersPage::refreshNow);

    connect(&m_gateway, &ServiceGateway::signedInChanged, this, &UsersPage::updateAccess);
    connect(&m_gateway, &ServiceGateway::eventCommitted, this, &UsersPage::onEventCommitted);
    updateAccess();
}

void UsersPage::buildAdminView(QWidget *host)
{
    // The filter bar.
    m_search = new QLineEdit(host);
    m_search->setObjectName(QStringLiteral("userSearch"));
    m_search->setAccessibleName(tr("Search accounts"));
    m_search->setPlaceholderText(tr("Search email or name (Ctrl+F)"));
    m_search->setToolTip(tr("Shows the accounts whose email, first or last name contain the text"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaxLength(200);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchTimer->start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchTimer->stop();
        applyFilters();
    });

    m_roleFilter = new QComboBox(host);
    m_roleFilter->setObjectName(QStringLiteral("roleFilter"));
    m_roleFilter->setAccessibleName(tr("Role filter"));
    m_roleFilter->setToolTip(tr("Show the accounts of one role only"));
    m_roleFilter->addItem(tr("All roles"), QString());
    for (Role role : {Role::Admin, Role::Editor, Role::Creator, Role::Consumer}) {
        m_roleFilter->addItem(userui::roleLabel(role), roleName(role));
    }
    connect(m_roleFilter, &QComboBox::currentIndexChanged, this, &UsersPage::applyFilters);

    m_statusFilter = new QComboBox(host);
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->setAccessibleName(tr("Status filter"));
    m_statusFilter->setToolTip(tr("Show the accounts of one status only"));
    m_statusFilter->addItem(tr("Any status"), QString());
    for (const char *status : {"active", "inactive", "suspended"}) {
        m_statusFilter->addItem(userui::statusLabel(QLatin1String(status)), QLatin1String(status));
    }
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, &UsersPage::applyFilters);

    m_includeDeleted = new QCheckBox(tr("Include &deleted"), host);
    m_includeDeleted->setObjectName(QStringLiteral("includeDeleted"));
    m_includeDeleted->setAccessibleName(tr("Include deleted accounts"));
    m_includeDeleted->setToolTip(tr("Also list the accounts that were deleted (anonymised)"));
    connect(m_includeDeleted, &QCheckBox::toggled, this, &UsersPage::applyFilters);

    m_newUser = new QPushButton(tr("&New user…"), host);
    m_newUser->setObjectName(QStringLiteral("newUser"));
    m_newUser->setAccessibleName(tr("New user"));
    m_newUser->setToolTip(tr("Make an account for someone (Ctrl+N)"));
    connect(m_newUser, &QPushButton::clicked, this, &UsersPage::openNewUserDialog);

    auto *filters = new QHBoxLayout;
    filters->addWidget(buddyLabel(tr("&Search:"), m_search, host));
    filters->addWidget(m_search, 2);
    filters->addWidget(buddyLabel(tr("&Role:"), m_roleFilter, host));
    filters->addWidget(m_roleFilter);
    filters->addWidget(buddyLabel(tr("S&tatus:"), m_statusFilter, host));
    filters->addWidget(m_statusFilter);
    filters->addWidget(m_includeDeleted);
    filters->addStretch(1);
    filters->addWidget(m_newUser);

    // The table.
    m_table = new QTableView(host);
    m_table->setObjectName(QStringLiteral("usersTable"));
    m_table->setAccessibleName(tr("Accounts"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(UserTableModel::EmailColumn,
                                                      QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(UserTableModel::NameColumn,
                                                      QHeaderView::Stretch);
    for (int column :
         {UserTableModel::RoleColumn, UserTableModel::StatusColumn, UserTableModel::MfaColumn,
          UserTableModel::CreatedColumn, UserTableModel::UpdatedColumn}) {
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    }
    m_table->horizontalHeader()->setSortIndicator(UserTableModel::EmailColumn, Qt::AscendingOrder);
    // The detail panel shows when an account changed; the table keeps room for names.
    m_table->setColumnHidden(UserTableModel::UpdatedColumn, true);
    m_table->setSortingEnabled(true);
    connect(m_table->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this](int section, Qt::SortOrder) {
                if (!UserTableModel::sortFieldOf(section).isEmpty()) {
                    return;
                }
                // Not a sortable column: put the indicator back where the sort is.
                for (int c = 0; c < UserTableModel::ColumnCount; ++c) {
                    if (UserTableModel::sortFieldOf(c) == m_model->query().sortField) {
                        QSignalBlocker block(m_table->horizontalHeader());
                        for (int column : {UserTableModel::RoleColumn, UserTableModel::StatusColumn,
                                           UserTableModel::MfaColumn, UserTableModel::CreatedColumn,
                                           UserTableModel::UpdatedColumn}) {
                            m_table->horizontalHeader()->setSectionResizeMode(
                                column, QHeaderView::ResizeToContents);
                        }
                        m_table->horizontalHeader()->setSortIndicator(c, m_model->query().descending
                                                                             ? Qt::DescendingOrder
                                                                             : Qt::AscendingOrder);
                    }
                }
            });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &UsersPage::onCurrentRowChanged);
    connect(m_model, &UserTableModel::modelReset, this, [this] {
        // Keep the shown account selected when it is still listed.
        const int row = m_model->rowOf(m_selectedId);
        if (row >= 0) {
            QSignalBlocker block(m_table->selectionModel());
            m_table->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                                                       QItemSelectionModel::ClearAndSelect |
                                                           QItemSelectionModel::Rows);
        }
    });
    connect(m_model, &UserTableModel::loaded, this, &UsersPage::updateCount);
    connect(m_model, &UserTableModel::loadFailed, this,
            [this](const Error &error) { showFailure(error, tr("Could not list the accounts")); });

    m_count = new QLabel(host);
    m_count->setObjectName(QStringLiteral("userCount"));

    auto *listSide = new QWidget(host);
    auto *listLayout = new QVBoxLayout(listSide);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_table, 1);
    listLayout->addWidget(m_count);

    // The detail panel.
    auto *detail = new QWidget(host);
    m_detailTitle = new QLabel(detail);
    m_detailTitle->setObjectName(QStringLiteral("userTitle"));
    QFont titleFont = m_detailTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_detailTitle->setFont(titleFont);
    m_detailTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailSubtitle = new QLabel(detail);
    m_detailSubtitle->setWordWrap(true);
    m_detailSubtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_firstName = new QLineEdit(detail);
    m_firstName->setObjectName(QStringLiteral("userFirstName"));
    m_firstName->setAccessibleName(tr("First name"));
    m_firstName->setMaxLength(100);
    m_lastName = new QLineEdit(detail);
    m_lastName->setObjectName(QStringLiteral("userLastName"));
    m_lastName->setAccessibleName(tr("Last name"));
    m_lastName->setMaxLength(100);
    m_roleCombo = new QComboBox(detail);
    m_roleCombo->setObjectName(QStringLiteral("roleCombo"));
    m_roleCombo->setAccessibleName(tr("Role"));
    m_roleCombo->setToolTip(tr("Consumers read; creators write their own items; editors publish "
                               "anyone's; admins also manage accounts"));
    for (Role role : {Role::Admin, Role::Editor, Role::Creator, Role::Consumer}) {
        m_roleCombo->addItem(userui::roleLabel(role), roleName(role));
    }
    m_statusCombo = new QComboBox(detail);
    m_statusCombo->setObjectName(QStringLiteral("statusCombo"));
    m_statusCombo->setAccessibleName(tr("Status"));
    m_statusCombo->setToolTip(
        tr("Only active accounts can sign in; suspending or deactivating ends their sessions"));
    for (const char *status : {"active", "inactive", "suspended"}) {
        m_statusCombo->addItem(userui::statusLabel(QLatin1String(status)), QLatin1String(status));
    }
    m_apply = new QPushButton(tr("&Apply"), detail);
    m_apply->setObjectName(QStringLiteral("applyUser"));
    m_apply->setAccessibleName(tr("Apply the changes to the account"));
    m_apply->setToolTip(tr("Save the names, role and status (Ctrl+S)"));
    connect(m_apply, &QPushButton::clicked, this, &UsersPage::applyChanges);
    for (QLineEdit *edit : {m_firstName, m_lastName}) {
        connect(edit, &QLineEdit::textChanged, this, &UsersPage::updateDetailActions);
        connect(edit, &QLineEdit::returnPressed, this, &UsersPage::applyChanges);
    }
    for (QComboBox *combo : {m_roleCombo, m_statusCombo}) {
        connect(combo, &QComboBox::currentIndexChanged, this, &UsersPage::updateDetailActions);
    }

    auto *accountBox = new QGroupBox(tr("Account"), detail);
    auto *accountForm = new QFormLayout(accountBox);
    accountForm->addRow(buddyLabel(tr("&First name:"), m_firstName, accountBox), m_firstName);
    accountForm->addRow(buddyLabel(tr("&Last name:"), m_lastName, accountBox), m_lastName);
    accountForm->addRow(buddyLabel(tr("R&ole:"), m_roleCombo, accountBox), m_roleCombo);
    accountForm->addRow(buddyLabel(tr("Stat&us:"), m_statusCombo, accountBox), m_statusCombo);
    auto *applyRow = new QHBoxLayout;
    applyRow->addStretch(1);
    applyRow->addWidget(m_apply);
    accountForm->addRow(applyRow);

    m_mfaState = new QLabel(detail);
    m_mfaState->setObjectName(QStringLiteral("userMfaState"));
    m_resetMfa = new QPushButton(tr("Reset t&wo-step sign-in…"), detail);
    m_resetMfa->setObjectName(QStringLiteral("resetMfa"));
    m_resetMfa->setAccessibleName(tr("Reset two-step sign-in"));
    m_resetMfa->setToolTip(tr("Remove their authenticator and recovery codes, for someone who "
                              "lost their phone; they can set it up again"));
    connect(m_resetMfa, &QPushButton::clicked, this, &UsersPage::resetMfa);

    m_sessions = new QTreeWidget(detail);
    m_sessions->setObjectName(QStringLiteral("userSessions"));
    m_sessions->setAccessibleName(tr("Active sessions"));
    m_sessions->setRootIsDecorated(false);
    m_sessions->setHeaderLabels({tr("Address"), tr("Device"), tr("Signed in"), tr("Last used")});
    m_sessions->setMinimumHeight(90);
    m_noSessions = new QLabel(tr("Not signed in anywhere."), detail);
    m_noSessions->setObjectName(QStringLiteral("noSessions"));
    m_revokeSessions = new QPushButton(tr("Sign out &everywhere…"), detail);
    m_revokeSessions->setObjectName(QStringLiteral("revokeSessions"));
    m_revokeSessions->setAccessibleName(tr("Revoke all sessions"));
    m_revokeSessions->setToolTip(tr("End every session of this account: they must sign in again"));
    connect(m_revokeSessions, &QPushButton::clicked, this, &UsersPage::revokeSessions);

    auto *signInBox = new QGroupBox(tr("Sign-in"), detail);
    auto *signInLayout = new QVBoxLayout(signInBox);
    auto *mfaRow = new QHBoxLayout;
    mfaRow->addWidget(m_mfaState, 1);
    mfaRow->addWidget(m_resetMfa);
    signInLayout->addLayout(mfaRow);
    auto *sessionsLabel = buddyLabel(tr("Active sess&ions:"), m_sessions, signInBox);
    signInLayout->addWidget(sessionsLabel);
    signInLayout->addWidget(m_sessions);
    auto *revokeRow = new QHBoxLayout;
    revokeRow->addWidget(m_noSessions, 1);
    revokeRow->addWidget(m_revokeSessions);
    signInLayout->addLayout(revokeRow);

    m_activity = new QListWidget(detail);
    m_activity->setObjectName(QStringLiteral("userActivity"));
    m_activity->setAccessibleName(tr("Recent activity"));
    m_activity->setToolTip(tr("The newest %1 events about or by this account").arg(kActivityLines));
    m_activity->setMinimumHeight(140);
    m_activity->setWordWrap(true);
    auto *activityBox = new QGroupBox(tr("Recent activity"), detail);
    auto *activityLayout = new QVBoxLayout(activityBox);
    activityLayout->addWidget(m_activity);

    m_delete = new QPushButton(tr("Delete a&ccount…"), detail);
    m_delete->setObjectName(QStringLiteral("deleteUser"));
    m_delete->setAccessibleName(tr("Delete the account"));
    m_delete->setToolTip(tr("Anonymise the account for good; their content keeps its author id"));
    connect(m_delete, &QPushButton::clicked, this, &UsersPage::deleteAccount);
    auto *deleteRow = new QHBoxLayout;
    deleteRow->addStretch(1);
    deleteRow->addWidget(m_delete);

    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->addWidget(m_detailTitle);
    detailLayout->addWidget(m_detailSubtitle);
    detailLayout->addWidget(accountBox);
    detailLayout->addWidget(signInBox);
    detailLayout->addWidget(activityBox, 1);
    detailLayout->addLayout(deleteRow);

    auto *scroll = new QScrollArea(host);
    scroll->setWidget(detail);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *placeholder = new QLabel(tr("Select an account to see and change it."), host);
    placeholder->setAlignment(Qt::AlignCenter);
    placeholder->setWordWrap(true);
    m_detailStack = new QStackedWidget(host);
    m_detailStack->addWidget(placeholder);
    m_detailStack->addWidget(scroll);

    auto *splitter = new QSplitter(Qt::Horizontal, host);
    splitter->addWidget(listSide);
    splitter->addWidget(m_detailStack);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({520, 560});
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(host);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);

    setTabOrder(m_search, m_roleFilter);
    setTabOrder(m_roleFilter, m_statusFilter);
    setTabOrder(m_statusFilter, m_includeDeleted);
    setTabOrder(m_includeDeleted, m_newUser);
    setTabOrder(m_newUser, m_table);
    setTabOrder(m_table, m_firstName);
    clearDetail();
}

void UsersPage::updateAccess()
{
    const bool admin = m_gateway.may(Action::UserList);
    if (!admin) {
        m_notAdmin->setText(
            m_gateway.isSignedIn()
                ? tr("Managing accounts is for admins. You are signed in as %1 (%2).\n\n"
                     "Your own profile, password, two-step sign-in and sessions are under My "
                     "account; ask an admin when an account needs changing.")
                      .arg(m_gateway.user().email, userui::roleLabel(m_gateway.actor().role))
                : tr("Sign in as an admin to manage accounts."));
        m_stack->setCurrentWidget(m_notAdmin);
        m_shownFor.clear();
        clearDetail();
        return;
    }
    m_newUser->setEnabled(m_gateway.may(Action::UserCreate));
    const QString who = m_gateway.actor().userId + m_gateway.actor().sessionId;
    if (m_stack->currentIndex() == 1 && who == m_shownFor) {
        return; // the same admin (their profile changed): nothing to load again
    }
    m_shownFor = who;
    m_stack->setCurrentIndex(1);
    clearDetail();
    applyFilters();
}

UserQuery UsersPage::currentQuery() const
{
    UserQuery query = m_model->query();
    query.text = m_search->text().trimmed();
    query.role = parseRole(m_roleFilter->currentData().toString());
    query.status = m_statusFilter->currentData().toString();
    query.includeDeleted = m_includeDeleted->isChecked();
    return query;
}

void UsersPage::applyFilters()
{
    if (!m_gateway.may(Action::UserList)) {
        return;
    }
    m_searchTimer->stop();
    m_model->setQuery(currentQuery());
}

void UsersPage::updateCount()
{
    const qint64 total = m_model->total();
    const int shown = m_model->rowCount();
    if (total == 0) {
        m_count->setText(currentQuery().text.isEmpty() ? tr("No accounts match the filters.")
                                                       : tr("No accounts match the search."));
    } else if (shown < total) {
        m_count->setText(tr("%1 of %2 accounts shown; scroll for more.").arg(shown).arg(total));
    } else {
        m_count->setText(total == 1 ? tr("1 account.") : tr("%1 accounts.").arg(total));
    }
}

void UsersPage::pageShown()
{
    if (m_gateway.may(Action::UserList)) {
        refreshNow();
    }
}

void UsersPage::focusSearch()
{
    if (m_stack->currentIndex() == 1) {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    }
}

void UsersPage::createNew()
{
    openNewUserDialog();
}

void UsersPage::saveCurrent()
{
    if (m_apply && m_apply->isEnabled()) {
        applyChanges();
    }
}

void UsersPage::onEventCommitted(const Event &event)
{
    const bool aboutAccounts = event.stream.startsWith(QLatin1String("user/"));
    const bool bySelected = !m_selectedId.isEmpty() && event.actorId == m_selectedId;
    if (!aboutAccounts && !bySelected) {
        return;
    }
    if (!isVisible()) {
        m_stale = true; // refreshed when shown
        return;
    }
    m_refreshTimer->start();
}

void UsersPage::refreshNow()
{
    if (hiddenNow()) {
        return;
    }
    m_stale = false;
    if (!m_gateway.may(Action::UserList)) {
        return;
    }
    m_model->refresh();
    if (!m_selectedId.isEmpty()) {
        loadDetail(true);
    }
}

void UsersPage::onCurrentRowChanged()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const User *user = current.isValid() ? m_model->userAt(current.row()) : nullptr;
    if (!user) {
        return; // keep showing the account while the list reloads
    }
    if (user->id == m_selectedId) {
        return;
    }
    m_selectedId = user->id;
    m_detailLoaded = false;
    fillUser(*user);
    m_sessions->clear();
    m_activity->clear();
    m_detailStack->setCurrentIndex(1);
    loadDetail(false);
}

void UsersPage::selectUser(const QString &userId)
{
    const int row = m_model->rowOf(userId);
    if (row >= 0) {
        m_table->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                                                   QItemSelectionModel::ClearAndSelect |
                                                       QItemSelectionModel::Rows);
        m_table->scrollTo(m_model->index(row, 0));
        if (m_selectedId == userId) {
            return;
        }
    }
    m_selectedId = userId;
    m_shown.reset();
    m_detailLoaded = false;
    m_sessions->clear();
    m_activity->clear();
    loadDetail(false);
}

void UsersPage::clearDetail()
{
    ++m_detailGeneration;
    m_selectedId.clear();
    m_shown.reset();
    m_detailLoaded = false;
    if (m_detailStack) {
        m_detailStack->setCurrentIndex(0);
        m_sessions->clear();
        m_activity->clear();
        updateDetailActions();
    }
}

void UsersPage::fillUser(const User &user)
{
    m_shown = user;
    const bool deleted = user.deletedAtMs > 0;
    const QString zone = m_gateway.user().preferences.timezone;
    m_detailTitle->setText(fullName(user));
    QString subtitle = tr("%1 · created %2 · updated %3")
                           .arg(user.email, userui::formatTime(user.createdAtMs, zone),
                                userui::formatTime(user.updatedAtMs, zone));
    if (deleted) {
        subtitle += QStringLiteral("\n") + tr("Deleted %1: anonymised, it cannot sign in.")
                                               .arg(userui::formatTime(user.deletedAtMs, zone));
    }
    m_detailSubtitle->setText(subtitle);
    {
        QSignalBlocker a(m_firstName), b(m_lastName), c(m_roleCombo), d(m_statusCombo);
        m_firstName->setText(user.firstName);
        m_lastName->setText(user.lastName);
        m_roleCombo->setCurrentIndex(m_roleCombo->findData(roleName(user.role)));
        m_statusCombo->setCurrentIndex(m_statusCombo->findData(user.status));
    }
    m_mfaState->setText(user.mfaEnabled
                            ? tr("Two-step sign-in is on: a password and an authenticator code.")
                            : tr("Two-step sign-in is off: a password alone signs in."));
    updateDetailActions();
}

bool UsersPage::isDirty() const
{
    if (!m_shown) {
        return false;
    }
    return m_firstName->text().trimmed() != m_shown->firstName ||
           m_lastName->text().trimmed() != m_shown->lastName ||
           m_roleCombo->currentData().toString() != roleName(m_shown->role) ||
           m_statusCombo->currentData().toString() != m_shown->status;
}

void UsersPage::updateDetailActions()
{
    const bool shown = m_shown.has_value();
    const bool live = shown && m_shown->deletedAtMs == 0;
    const bool editable = live && !m_busy && m_gateway.may(Action::UserUpdate);
    for (QWidget *w :
         std::initializer_list<QWidget *>{m_firstName, m_lastName, m_roleCombo, m_statusCombo}) {
        w->setEnabled(editable);
    }
    m_apply->setEnabled(editable && isDirty());
    const bool hasSessions = m_sessions->topLevelItemCount() > 0;
    m_revokeSessions->setEnabled(live && !m_busy && hasSessions &&
                                 m_gateway.may(Action::UserRevokeSessions));
    m_noSessions->setVisible(m_detailLoaded && !hasSessions);
    m_resetMfa->setEnabled(live && !m_busy && m_shown->mfaEnabled &&
                           m_gateway.may(Action::UserResetMfa));
    m_resetMfa->setToolTip(shown && !m_shown->mfaEnabled
                               ? tr("Two-step sign-in is off for this account")
                               : tr("Remove their authenticator and recovery codes, for someone "
                                    "who lost their phone; they can set it up again"));
    m_delete->setEnabled(live && !m_busy && m_gateway.may(Action::UserDelete));
}

void UsersPage::loadDetail(bool keepEdits)
{
    if (m_selectedId.isEmpty()) {
        return;
    }
    const quint64 generation = ++m_detailGeneration;
    const QString zone = m_gateway.user().preferences.timezone;
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), id = m_selectedId,
         zone]() -> Result<Detail> {
            UserService &users = gateway.users();
            auto user = users.user(actor, id);
            if (!user) {
                return fail(user.error());
            }
            auto sessions = users.userSessions(actor, id);
            if (!sessions) {
                return fail(sessions.error());
            }
            auto activity = recentActivity(gateway, actor, id, zone);
            if (!activity) {
                return fail(activity.error());
            }
            return Detail{*user, std::move(*sessions), std::move(*activity)};
        },
        [this, generation, keepEdits](Result<Detail> detail) {
            if (generation != m_detailGeneration) {
                return; // another account was chosen meanwhile
            }
            if (!detail) {
                showFailure(detail.error(), tr("Could not read the account"));
                return;
            }
            showDetail(*detail, keepEdits);
        });
}

void UsersPage::showDetail(const Detail &detail, bool keepEdits)
{
    m_detailStack->setCurrentIndex(1);
    if (!keepEdits || !isDirty()) {
        fillUser(detail.user);
        m_model->updateUser(detail.user);
    }
    // With edits pending, the shown updatedAt stays: applying them is then
    // refused as stale, and the page says so instead of overwriting.
    m_sessions->clear();
    const QString zone = m_gateway.user().preferences.timezone;
    for (const Session &s : detail.sessions) {
        auto *item = new QTreeWidgetItem(
            m_sessions, {s.address.isEmpty() ? tr("Unknown address") : s.address,
                         userui::deviceLabel(s.userAgent), userui::formatTime(s.createdAtMs, zone),
                         userui::formatTime(s.lastUsedAtMs, zone)});
        item->setData(0, Qt::UserRole, s.id);
        item->setToolTip(1, s.userAgent);
        if (s.id == m_gateway.actor().sessionId) {
            item->setText(0, item->text(0) + tr(" (this console)"));
        }
    }
    m_activity->clear();
    if (detail.activity.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No activity recorded."), m_activity);
        item->setFlags(Qt::NoItemFlags);
    } else {
        m_activity->addItems(detail.activity);
    }
    m_detailLoaded = true;
    updateDetailActions();
}

bool UsersPage::confirm(const QString &title, const QString &text, const QString &yesText)
{
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                    this);
    box.setObjectName(QStringLiteral("usersConfirm"));
    box.button(QMessageBox::Yes)->setText(yesText);
    box.setDefaultButton(QMessageBox::Cancel);
    return box.exec() == QMessageBox::Yes;
}

void UsersPage::showNotice(const QString &text)
{
    m_messageAction = nullptr;
    m_message->showMessage(MessageBar::Kind::Success, text);
}

void UsersPage::showFailure(const Error &error, const QString &context)
{
    m_messageAction = nullptr;
    if (error.code == ErrorCode::PreconditionFailed) {
        m_message->showMessage(
            MessageBar::Kind::Warning,
            MessageBar::describe(error, context) +
                tr(". Someone changed it meanwhile: reload to see their change, then apply "
                   "yours again."),
            tr("S&how their change"));
        m_messageAction = [this] { loadDetail(false); };
        return;
    }
    m_message->showError(error, context);
}

void UsersPage::applyChanges()
{
    if (!m_shown || !isDirty() || m_busy) {
        return;
    }
    const User before = *m_shown;
    UserChange change;
    if (m_firstName->text().trimmed() != before.firstName) {
        change.firstName = m_firstName->text().trimmed();
    }
    if (m_lastName->text().trimmed() != before.lastName) {
        change.lastName = m_lastName->text().trimmed();
    }
    const Role role = parseRole(m_roleCombo->currentData().toString()).value_or(before.role);
    if (role != before.role) {
        change.role = role;
    }
    const QString status = m_statusCombo->currentData().toString();
    if (status != before.status) {
        change.status = status;
    }
    change.expectedUpdatedAtMs = before.updatedAtMs;
    const bool self = before.id == m_gateway.actor().userId;
    if (self && change.role && before.role == Role::Admin &&
        !confirm(tr("Give up admin rights?"),
                 tr("You are about to make your own account %1. You will no longer be able to "
                    "manage accounts.")
                     .arg(userui::roleLabel(role)),
                 tr("Change my role"))) {
        return;
    }
    m_busy = true;
    updateDetailActions();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), id = before.id, change] {
            return gateway.users().updateUser(actor, id, change);
        },
        [this, before, self](Result<User> updated) {
            m_busy = false;
            if (!updated) {
                updateDetailActions();
                showFailure(updated.error(), tr("Could not change %1").arg(before.email));
                return;
            }
            if (m_selectedId == updated->id) {
                fillUser(*updated);
            }
            m_model->updateUser(*updated);
            QString notice = tr("Saved %1.").arg(updated->email);
            if (updated->role != before.role) {
                notice = tr("%1 is now %2.")
                             .arg(updated->email, userui::roleLabel(updated->role).toLower());
            }
            if (updated->status != before.status && updated->status != QLatin1String("active")) {
                notice +=
                    QLatin1Char(' ') + tr("The account is %1 and its sessions were ended.")
                                           .arg(userui::statusLabel(updated->status).toLower());
            }
            showNotice(notice);
            if (self) {
                // The console acts with the new role from now on.
                Actor actor = m_gateway.actor();
                actor.role = updated->role;
                m_gateway.setSignedIn(*updated, actor);
            }
        });
}

void UsersPage::revokeSessions()
{
    if (!m_shown || m_busy) {
        return;
    }
    const User user = *m_shown;
    const int count = m_sessions->topLevelItemCount();
    QString text =
        (count == 1 ? tr("End the active session of %1?").arg(user.email)
                    : tr("End the %1 active sessions of %2?").arg(count).arg(user.email)) +
        QLatin1Char(' ') + tr("They must sign in again everywhere.");
    if (user.id == m_gateway.actor().userId) {
        text += QStringLiteral("\n\n") + tr("This includes the session of this console.");
    }
    if (!confirm(tr("Sign out everywhere"), text, tr("Sign out everywhere"))) {
        return;
    }
    m_busy = true;
    updateDetailActions();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), id = user.id] {
            return gateway.users().revokeUserSessions(actor, id);
        },
        [this, user](Result<int> revoked) {
            m_busy = false;
            updateDetailActions();
            if (!revoked) {
                showFailure(revoked.error(),
                            tr("Could not end the sessions of %1").arg(user.email));
                return;
            }
            showNotice(*revoked == 1
                           ? tr("Ended 1 session of %1.").arg(user.email)
                           : tr("Ended %1 sessions of %2.").arg(*revoked).arg(user.email));
            if (m_selectedId == user.id) {
                loadDetail(true);
            }
        });
}

void UsersPage::resetMfa()
{
    if (!m_shown || m_busy) {
        return;
    }
    const User user = *m_shown;
    if (!confirm(tr("Reset two-step sign-in"),
                 tr("Remove the authenticator and recovery codes of %1? They will sign in with "
                    "their password alone until they set up two-step sign-in again.")
                     .arg(user.email),
                 tr("Reset"))) {
        return;
    }
    m_busy = true;
    updateDetailActions();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), id = user.id] {
            return gateway.users().resetMfa(actor, id);
        },
        [this, user](Result<void> reset) {
            m_busy = false;
            updateDetailActions();
            if (!reset) {
                showFailure(reset.error(),
                            tr("Could not reset two-step sign-in of %1").arg(user.email));
                return;
            }
            showNotice(tr("Two-step sign-in of %1 was reset.").arg(user.email));
            if (m_selectedId == user.id) {
                loadDetail(false);
            }
        });
}

void UsersPage::deleteAccount()
{
    if (!m_shown || m_busy) {
        return;
    }
    const User user = *m_shown;
    if (!confirm(tr("Delete account"),
                 tr("Delete the account %1?\n\nIts names, email and preferences are erased, "
                    "also from its history, and it can never sign in again. Content it wrote "
                    "stays. This cannot be undone.")
                     .arg(user.email),
                 tr("Delete for good"))) {
        return;
    }
    m_busy = true;
    updateDetailActions();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), id = user.id] {
            return gateway.users().deleteUser(actor, id);
        },
        [this, user](Result<void> deleted) {
            m_busy = false;
            updateDetailActions();
            if (!deleted) {
                showFailure(deleted.error(), tr("Could not delete %1").arg(user.email));
                return;
            }
            showNotice(tr("The account %1 was deleted and anonymised.").arg(user.email));
            if (m_selectedId == user.id) {
                clearDetail();
                m_table->clearSelection();
            }
            m_model->refresh();
        });
}

void UsersPage::openNewUserDialog()
{
    if (!m_gateway.may(Action::UserCreate)) {
        return;
    }
    NewUserDialog dialog(m_gateway, this);
    QString createdId;
    QString createdEmail;
    connect(&dialog, &NewUserDialog::userCreated, this, [&](const User &user) {
        createdId = user.id;
        createdEmail = user.email;
    });
    dialog.exec();
    if (createdId.isEmpty()) {
        return;
    }
    showNotice(tr("The account %1 was made.").arg(createdEmail));
    // Shown whether or not the filters list it; selected once the list has it.
    selectUser(createdId);
    m_model->refresh();
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(m_model, &UserTableModel::loaded, this, [this, once, createdId] {
        disconnect(*once);
        if (m_selectedId == createdId) {
            selectUser(createdId);
        }
    });
}

} // namespace colophon
