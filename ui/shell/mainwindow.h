// SPDX-License-Identifier: MIT
// The console's main window: the sections on the left (those the signed-in
// role can use), the section in the middle, and a status bar with who is
// signed in and the replica's state (with a SyncController, its sync state
// and a Sync section). Geometry, splitters (the window's and the sections'),
// last section and theme are kept in a QSettings file of the replica's data
// folder.
#pragma once

#include "ui/shell/theme.h"

#include <QMainWindow>
#include <QPointer>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QListWidget)
QT_FORWARD_DECLARE_CLASS(QSettings)
QT_FORWARD_DECLARE_CLASS(QSplitter)
QT_FORWARD_DECLARE_CLASS(QStackedWidget)
QT_FORWARD_DECLARE_CLASS(QTimer)
QT_FORWARD_DECLARE_CLASS(QActionGroup)

namespace colophon {

class ConsolePage;
class ContentSection;
class ServiceGateway;
class SyncController;

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    // settingsFile: an INI file (the console keeps one per replica).
    MainWindow(ServiceGateway &gateway, const QString &settingsFile, QWidget *parent = nullptr);
    // With sync: a Sync section for every role, and the sync state in the status bar.
    MainWindow(ServiceGateway &gateway, const QString &settingsFile, SyncController &sync,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    // "content", "taxonomy", "activity", "users", "account", "sync": the
    // sections this role has, in order.
    QStringList sections() const;
    QString currentSection() const;
    ConsolePage *page(const QString &section) const;
    ContentSection *contentSection() const;
    QListWidget *navigation() const { return m_navigation; }
    QLabel *userStatus() const { return m_userStatus; }
    QLabel *replicaStatus() const { return m_replicaStatus; }

    ThemeMode theme() const { return m_theme; }
    void setTheme(ThemeMode mode);

public slots:
    void showSection(const QString &section);

signals:
    void signOutRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    MainWindow(ServiceGateway &gateway, const QString &settingsFile, SyncController *sync,
               QWidget *parent);
    void addSection(const QString &key, const QString &title, const QString &iconName,
                    ConsolePage *page);
    void buildMenus();
    void restoreSettings();
    void saveSettings();
    void updateUserStatus();
    void refreshReplicaStatus();
    void updateReplicaStatus();
    // My account is the local account's: hidden while the console acts as
    // the server account it syncs as.
    void updateAccountSection();
    ConsolePage *currentPage() const;

    ServiceGateway &m_gateway;
    SyncController *m_sync;
    QSettings *m_settings;
    QSplitter *m_splitter;
    QListWidget *m_navigation;
    QStackedWidget *m_stack;
    QLabel *m_userStatus;
    QLabel *m_replicaStatus;
    QLabel *m_busy;
    QTimer *m_replicaTimer;
    QString m_replicaText; // "Local replica … · N events", or why it cannot say
    QStringList m_keys;
    // The sections' own splitters, by settings key, as built.
    QList<std::pair<QString, QPointer<QSplitter>>> m_pageSplitters;
    QActionGroup *m_themeGroup = nullptr;
    ThemeMode m_theme = ThemeMode::System;
};

} // namespace colophon
