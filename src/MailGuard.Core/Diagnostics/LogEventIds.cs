namespace MailGuard.Core.Diagnostics;

/// <summary>
/// Every log event id in one place, grouped by hundreds per component, so operators can filter
/// and alert on numbers that never change meaning. Events carry ids, counts, codes and timings,
/// never message content, headers or AUTH arguments.
/// </summary>
public static class LogEventIds
{
    // 1xx: relay (SMTP ingress)
    public const int RelayListening = 100;
    public const int RelayStopping = 101;
    public const int RelayStopped = 102;
    public const int MessageReceived = 109;
    public const int MessageAccepted = 110;
    public const int MessageRejected = 111;
    public const int MessageReturned = 116;
    public const int MessageHeld = 117;
    public const int MessageCommitFailed = 112;
    public const int RelayDenied = 113;
    public const int SessionFaulted = 114;
    public const int AuthFailed = 115;
    public const int PolicyNoticeQueued = 118;
    public const int SenderNotNotified = 119;
    public const int ConnectionRefused = 120;
    public const int AuthThrottled = 121;
    public const int InspectionBusy = 122;

    // 15x: TLS certificates
    public const int CertificateLoaded = 150;
    public const int CertificateLoadFailed = 151;

    // 2xx: delivery worker
    public const int DeliveryStarted = 200;
    public const int Delivered = 210;
    public const int DeliveryDeferred = 211;
    public const int DeliveryFailed = 212;
    public const int DeliveryExpired = 213;
    public const int NoticeQueued = 214;
    public const int DeliveryError = 215;
    public const int DsnWithheld = 216;
    public const int CircuitOpened = 220;
    public const int CircuitClosed = 221;
    public const int CircuitHalfOpened = 222;
    public const int CircuitRejected = 223;
    public const int WorkerFaulted = 230;

    // 4xx: inspection and policy
    public const int Verdict = 400;
    public const int InspectionFailed = 401;
    public const int OcrReady = 402;
    public const int OcrUnavailable = 403;
    public const int PolicyInForce = 404;
    public const int NoInternalDomains = 405;
    public const int SenderOverride = 406;
    public const int QuarantineExpired = 410;
    public const int QuarantineExpiryFailed = 411;

    // 42x: notifications (digest, sender's release requests)
    public const int DigestSent = 420;
    public const int DigestAlreadySent = 421;
    public const int DigestFailed = 422;
    public const int ReleaseRequested = 425;
    public const int ReleaseRequestRefused = 426;

    // 430-439: senders' notices and links
    public const int SenderWithdrew = 430;
    public const int WithdrawRefused = 431;
    public const int RequestNoticeQueued = 432;
    public const int RequestNoticeWithheld = 433;

    // 3xx: store
    public const int StoreOpened = 300;
    public const int LeasesReleased = 301;
    public const int OrphansRemoved = 302;
    public const int FinishedPurged = 303;
    public const int StoreFaulted = 304;
    public const int StoreRecovered = 305;
    public const int StoreWaitingAtStart = 306;

    // 5xx: administrative actions (the CLI verbs; actor is "cli:" + the operating-system user)
    public const int QuarantineReleased = 500;
    public const int QuarantineReturned = 501;
    public const int QuarantineDeleted = 502;
    public const int QuarantineDecisionRefused = 503;
    public const int QueueRetried = 510;
    public const int QueueDeleted = 511;

    // 6xx: review console and API
    public const int ConsoleListening = 600;
    public const int InitialAdminCreated = 601;
    public const int LoginSucceeded = 610;
    public const int LoginFailed = 611;
    public const int LoginThrottled = 612;
    public const int PasswordChangeFailed = 613;
    public const int PasswordChangeThrottled = 614;
    public const int ReviewAction = 620;
    public const int OriginalOpened = 621;
    public const int AccountChanged = 630;
    public const int DecisionCountsFailed = 640;
    public const int CheckAnswered = 670;
    public const int CheckRefused = 671;
    public const int CheckInspectionFailed = 672;
    public const int ConsoleStoreUnavailable = 650;

    // Review console, issue 15 (660-669).
    public const int HoldInspectionBackfilled = 660;
    public const int ReviewConfirmationRequired = 661;
    public const int ReviewBccFixRefused = 662;
    public const int BulkReviewAction = 663;
    public const int ReleaseRequestAlertQueued = 664;
    /// <summary>Retired (the alert is now queued in the request's own transaction); not reused.</summary>
    public const int ReleaseRequestAlertFailed = 665;
    public const int AuditExported = 666;
    public const int ConsoleError = 690;

    // 8xx: the process (a background service that failed for good, a stop nobody asked for)
    public const int ServiceFailed = 800;
    public const int UnrequestedStop = 801;
}
