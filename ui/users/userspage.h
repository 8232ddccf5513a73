// SPDX-License-Identifier: MIT
// The admins' Users section: the accounts in a filtered, searchable, sortable
// table (UserTableModel), and for the selected one its names, role and
// status to change, its sessions to end, its two-step sign-in to reset, its
// deletion, and its recent activity from the event log. People who are not
// admins see a short explanation instead. Service refusals (the last admin,
// a change made elsewhere meanwhile, ...) are shown in the page's MessageBar.
#pragma once

#include "backend/core/error.h"
#include "backend/events/event.h"
#include "services/user/user.h"
#include "ui/core/consolepage.h"

#include <QStringList>
#include <functional>
#include <optional>
#include <vector>

QT_FORWARD_DECLARE_CLASS(QCheckBox)
QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QListWidget)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QStackedWidget)
QT_FORWARD_DECLARE_CLASS(QTableView)
QT_FORWARD_DECLARE_CLASS(QTimer)
QT_FORWARD_DECLARE_CLASS(QTreeWidget)

namespace colophon {

class MessageBar;
class ServiceGateway;
class UserTableModel;

class UsersPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit UsersPage(ServiceGateway &gateway, QWidget *parent = nullptr);

    void pageShown() override;
    void focusSearch() override;
    void createNew() override;
    void saveCurrent() override;

    UserTableModel *model() const { return m_model; }
    // The account shown in the detail panel, if any.
    QString selectedUserId() const { return m_selectedId; }
    // Shows the account in the detail panel (and selects its row when listed).
    void selectUser(const QString &userId);

public slots:
    // "New user…": the dialog, then the new account selected.
    void openNewUserDialog();

private:
    struct Detail
    {
        User user;
        std::vector<Session> sessions;
        QStringList activity; // newest first
    };

    void buildAdminView(QWidget *host);
    void updateAccess();
    UserQuery currentQuery() const;
    void applyFilters();
    void updateCount();
    void onCurrentRowChanged();
    void onEventCommitted(const Event &event);
    void refreshNow();

    void clearDetail();
    void fillUser(const User &user);
    void loadDetail(bool keepEdits);
    void showDetail(const Detail &detail, bool keepEdits);
    bool isDirty() const;
    void updateDetailActions();

    void applyChanges();
    void revokeSessions();
    void resetMfa();
    void deleteAccount();
    bool confirm(const QString &title, const QString &text, const QString &yesText);
    void showNotice(const QString &text);
    void showFailure(const Error &error, const QString &context);

    ServiceGateway &m_gateway;
    UserTableModel *m_model;
    MessageBar *m_message;
    std::function<void()> m_messageAction;
    QStackedWidget *m_stack;
    QLabel *m_notAdmin;

    QLineEdit *m_search = nullptr;
    QComboBox *m_roleFilter = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QCheckBox *m_includeDeleted = nullptr;
    QPushButton *m_newUser = nullptr;
    QLabel *m_count = nullptr;
    QTableView *m_table = nullptr;

    QStackedWidget *m_detailStack = nullptr;
    QLabel *m_detailTitle = nullptr;
    QLabel *m_detailSubtitle = nullptr;
    QLineEdit *m_firstName = nullptr;
    QLineEdit *m_lastName = nullptr;
    QComboBox *m_roleCombo = nullptr;
    QComboBox *m_statusCombo = nullptr;
    QPushButton *m_apply = nullptr;
    QLabel *m_mfaState = nullptr;
    QPushButton *m_resetMfa = nullptr;
    QTreeWidget *m_sessions = nullptr;
    QLabel *m_noSessions = nullptr;
    QPushButton *m_revokeSessions = nullptr;
    QListWidget *m_activity = nullptr;
    QPushButton *m_delete = nullptr;

    QTimer *m_searchTimer;
    QTimer *m_refreshTimer;
    std::optional<User> m_shown;
    QString m_selectedId;
    QString m_shownFor; // the admin (user and session) the list was loaded for
    bool m_detailLoaded = false;
    bool m_busy = false;
    bool m_stale = false;
    quint64 m_detailGeneration = 0;
};

} // namespace colophon
