// SPDX-License-Identifier: MIT
// The content editor: one item's title, slug, description, type,
// categories, tags, Markdown body with a live preview, metadata, schedule,
// workflow and history. Edits are saved as a draft version after a pause
// and on close, the save state is always shown, and a change made elsewhere
// shows a banner instead of being overwritten: every save carries the
// version it was based on.
#pragma once

#include "backend/events/event.h"
#include "services/content/contentservice.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <memory>

QT_FORWARD_DECLARE_CLASS(QCheckBox)
QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QDateTimeEdit)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPlainTextEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QSplitter)
QT_FORWARD_DECLARE_CLASS(QTabWidget)
QT_FORWARD_DECLARE_CLASS(QTextBrowser)
QT_FORWARD_DECLARE_CLASS(QToolButton)

namespace colophon {

class ActorNames;
class CategoryPicker;
class MarkdownHighlighter;
class MessageBar;
class MetadataEditor;
class ServiceGateway;
class TagsEdit;
class VersionsPanel;

class ContentEditor final : public QWidget
{
    Q_OBJECT

public:
    enum class SaveState { Saved, Unsaved, Saving, Failed };
    Q_ENUM(SaveState)

    // itemId empty: a new item, created by its first save.
    ContentEditor(ServiceGateway &gateway, const QString &itemId, QWidget *parent = nullptr);
    ~ContentEditor() override;

    // Empty until a new item is first saved.
    QString itemId() const { return m_item.id; }
    // The item as last read from or written to the service.
    const ContentItem &item() const { return m_item; }
    bool isLoaded() const { return m_loaded; }
    bool hasUnsavedChanges() const;
    SaveState saveState() const { return m_state; }
    QString saveStateText() const;
    // "Untitled" when the title is empty, with " •" while unsaved.
    QString displayTitle() const;

    // Edits are saved this long after the last one (default 1500 ms).
    void setAutosaveDelay(int ms);
    int autosaveDelay() const { return m_autosaveDelay; }

    // Saves pending edits and waits for the answer; when saving fails asks
    // Save again / Discard / Cancel. False: keep the editor open.
    bool maybeClose();

public slots:
    // Saves pending edits now.
    void save();
    // Reads the item again, discarding unsaved edits.
    void reload();

signals:
    void titleChanged(const QString &title);
    // After every successful save; the first one of a new item gives its id.
    void saved(const QString &id);
    void saveStateChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Banner;
    enum class Move { Submit, Publish, Reject, Unpublish, Archive, RestoreToDraft };

    void buildUi();
    QWidget *buildHeader();
    QWidget *buildDetails();
    QWidget *buildBody();
    void load();
    void loadTaxonomy();
    void populate(const ContentItem &item, const ContentChange *keep = nullptr);
    ContentChange pendingChange() const;
    bool hasContent() const;
    bool validateLocally();
    void edited(QWidget *source);
    void setState(SaveState state, const QString &detail = {});
    void refreshState();
    void runSave(ContentChange change, const QString &context);
    void saveFinished(Result<ContentItem> result, const QString &context, bool created);
    void handleError(const Error &error, const QString &context);
    void markField(const QString &field, bool invalid);
    void clearMarks();
    void updateEditability();
    void updateWorkflow();
    bool mayMove(ContentStatus from, ContentStatus to) const;
    void requestMove(Move move);
    void moveTo(ContentStatus to, const QString &comment, const QString &context);
    void restoreVersion(int version);
    void remoteEvent(const Event &event);
    void checkRemote();
    void showRemoteChange(const ContentItem &current);
    void showConflict(const Error &error);
    void reloadFromBanner();
    void keepMine();
    void updatePreview();
    void syncPreviewScroll();
    bool mayEditFields() const;
    bool isOwn() const;
    void waitWhileSaving();

    ServiceGateway &m_gateway;
    ActorNames *m_names;
    ContentItem m_item;
    bool m_exists = false;
    bool m_loaded = false;
    bool m_populating = false;
    bool m_slugEdited = false;
    bool m_saving = false;
    bool m_saveQueued = false;
    bool m_checkAfterSave = false;
    int m_saveSerial = 0;
    int m_autosaveDelay = 1500;
    SaveState m_state = SaveState::Saved;
    QString m_stateDetail;
    qint64 m_savedAtMs = 0;
    std::function<void()> m_afterSave;
    QString m_remoteActor;
    qint64 m_remoteAtMs = 0;
    QString m_lastTitle;
    QTimer m_autosave;
    QTimer m_previewTimer;
    QTimer m_remoteTimer;

    MessageBar *m_messageBar = nullptr;
    std::unique_ptr<Banner> m_banner;
    QLineEdit *m_title = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_saveState = nullptr;
    QHash<int, QPushButton *> m_moves;
    QLineEdit *m_slug = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QComboBox *m_type = nullptr;
    CategoryPicker *m_categories = nullptr;
    TagsEdit *m_tags = nullptr;
    QCheckBox *m_publishAtOn = nullptr;
    QDateTimeEdit *m_publishAt = nullptr;
    QCheckBox *m_unpublishAtOn = nullptr;
    QDateTimeEdit *m_unpublishAt = nullptr;
    QLabel *m_scheduleHint = nullptr;
    QPlainTextEdit *m_body = nullptr;
    MarkdownHighlighter *m_highlighter = nullptr;
    QTextBrowser *m_preview = nullptr;
    QToolButton *m_undo = nullptr;
    QToolButton *m_redo = nullptr;
    MetadataEditor *m_metadata = nullptr;
    VersionsPanel *m_versions = nullptr;
    QTabWidget *m_side = nullptr;
    QSplitter *m_split = nullptr;
};

} // namespace colophon
