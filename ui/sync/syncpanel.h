// SPDX-License-Identifier: MIT
// The console's Sync section. Before pairing: what connecting does, and the
// Connect button. Once paired: the server and account, the sync state, the
// warning when the sign-in token is in a file rather than a keychain,
// "Sync now" and "Disconnect", and the lists: changes waiting to be sent,
// changes the server refused (with its reason), conflicts to settle (the
// kept and the losing text side by side) and the latest errors.
#pragma once

#include "ui/core/consolepage.h"
#include "ui/sync/connectdialog.h"

#include <QPointer>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QListWidget)
QT_FORWARD_DECLARE_CLASS(QPlainTextEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QStackedWidget)
QT_FORWARD_DECLARE_CLASS(QTabWidget)
QT_FORWARD_DECLARE_CLASS(QTreeWidget)

namespace colophon {

class MessageBar;
class ServiceGateway;
class SyncController;

class SyncPanel final : public ConsolePage
{
    Q_OBJECT

public:
    SyncPanel(ServiceGateway &gateway, SyncController &sync, QWidget *parent = nullptr);

    // The browser the Connect dialog opens (tests act as one).
    void setUrlOpener(ConnectDialog::UrlOpener opener) { m_opener = std::move(opener); }
    // Opens the Connect dialog (window-modal, not blocking); returns it.
    ConnectDialog *openConnectDialog();
    ConnectDialog *connectDialog() const { return m_dialog; }

    void pageShown() override;

private:
    void updateState();
    void updateDetails();
    void showConflict();
    void resolveConflict(bool useOther);
    void disconnectFromServer();

    ServiceGateway &m_gateway;
    SyncController &m_sync;
    ConnectDialog::UrlOpener m_opener;
    QPointer<ConnectDialog> m_dialog;
    QStackedWidget *m_pages;
    QPushButton *m_connect;
    QLabel *m_serverLabel;
    QLabel *m_accountLabel;
    QLabel *m_stateLabel;
    QLabel *m_lastSynced;
    MessageBar *m_tokenWarning;
    MessageBar *m_notice;
    QPushButton *m_syncNow;
    QPushButton *m_disconnect;
    QTabWidget *m_tabs;
    QTreeWidget *m_pending;
    QTreeWidget *m_refused;
    QListWidget *m_conflicts;
    QPlainTextEdit *m_kept;
    QPlainTextEdit *m_losing;
    QPushButton *m_keep;
    QPushButton *m_useOther;
    QListWidget *m_errors;
    int m_seenRefusals = -1;
};

} // namespace colophon
