/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation RotatePublicId($videoId: ID!) {\n    rotatePublicId(videoId: $videoId) {\n      id\n      publicId\n    }\n  }\n": typeof types.RotatePublicIdDocument,
    "\n  query Profile {\n    me {\n      id\n      handle\n      description\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      handle\n      description\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  mutation ReportVideo($videoId: ID, $publicId: String, $reason: ReportReason!, $note: String) {\n    reportVideo(videoId: $videoId, publicId: $publicId, reason: $reason, note: $note)\n  }\n": typeof types.ReportVideoDocument,
    "\n  fragment VideoCardFields on Video {\n    id\n    title\n    duration\n    createdAt\n    viewCount\n    playback {\n      posterUrl\n      previewUrl\n    }\n  }\n": typeof types.VideoCardFieldsFragmentDoc,
    "\n  query Channel($handle: String!, $order: ChannelVideoOrder!, $first: Int!, $after: String) {\n    channel(handle: $handle) {\n      id\n      name\n      handle\n      description\n      createdAt\n      videoCount\n      channelVideos(order: $order, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...VideoCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.ChannelDocument,
    "\n  fragment DashboardFigures on Analytics {\n    from\n    to\n    interval\n    totals {\n      ...DashboardPoint\n    }\n    series {\n      ...DashboardPoint\n    }\n    retention {\n      second\n      share\n    }\n    renditions {\n      rendition\n      seconds\n      share\n    }\n    topVideos {\n      views\n      watchTimeSeconds\n      video {\n        id\n        title\n      }\n    }\n  }\n  fragment DashboardPoint on AnalyticsPoint {\n    start\n    views\n    uniqueViewers\n    watchTimeSeconds\n    averageViewDurationSeconds\n    playbackAttempts\n    startupTimeMeanMs\n    startupTimeP50Ms\n    startupTimeP95Ms\n    rebufferingRatio\n    exitsBeforeStart\n    playbackFailures\n  }\n": typeof types.DashboardFiguresFragmentDoc,
    "\n  query ChannelAnalytics($range: AnalyticsRange) {\n    channelAnalytics(range: $range) {\n      ...DashboardFigures\n    }\n  }\n": typeof types.ChannelAnalyticsDocument,
    "\n  query VideoAnalytics($id: ID!, $range: AnalyticsRange) {\n    video(id: $id) {\n      id\n      title\n      viewCount\n    }\n    videoAnalytics(videoId: $id, range: $range) {\n      ...DashboardFigures\n    }\n  }\n": typeof types.VideoAnalyticsDocument,
    "\n  subscription LiveViewers($id: ID!) {\n    liveViewers(videoId: $id) {\n      count\n      at\n    }\n  }\n": typeof types.LiveViewersDocument,
    "\n  query Feed($first: Int!, $after: String) {\n    videos(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.FeedDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  query MyVideos($first: Int!, $after: String) {\n    me {\n      id\n      videos(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            title\n            description\n            status\n            takedownReason\n            takedownAppeal {\n              message\n              createdAt\n            }\n            playable\n            privacy\n            duration\n            createdAt\n            viewCount\n            retryable\n            upload {\n              offset\n              size\n            }\n            playback {\n              posterUrl\n            }\n            processing {\n              stage\n              percent\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MyVideosDocument,
    "\n  mutation AppealTakedown($videoId: ID!, $message: String!) {\n    appealTakedown(videoId: $videoId, message: $message) {\n      id\n      status\n      takedownAppeal {\n        message\n        createdAt\n      }\n    }\n  }\n": typeof types.AppealTakedownDocument,
    "\n  query SearchVideos($query: String!, $first: Int!, $after: String, $filter: SearchFilter) {\n    search(query: $query, first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n        titleHighlight {\n          text\n          match\n        }\n        descriptionHighlight {\n          text\n          match\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.SearchVideosDocument,
    "\n  query SearchMoments($query: String!) {\n    searchTranscripts(query: $query, first: 10) {\n      video {\n        id\n        title\n        duration\n        createdAt\n        owner {\n          id\n          name\n          handle\n        }\n      }\n      cues {\n        start\n        text\n      }\n    }\n  }\n": typeof types.SearchMomentsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation ImportVideo($input: ImportVideoInput!) {\n    importVideo(input: $input) {\n      id\n      title\n    }\n  }\n": typeof types.ImportVideoDocument,
    "\n  query WatchVideo($id: ID, $publicId: String) {\n    video(id: $id, publicId: $publicId) {\n      id\n      publicId\n      title\n      description\n      status\n      playable\n      privacy\n      duration\n      width\n      height\n      createdAt\n      viewCount\n      owner {\n        id\n        name\n        handle\n      }\n      renditions {\n        name\n        width\n        height\n        bandwidth\n        averageBandwidth\n        codecs\n        frameRate\n      }\n      playback {\n        hlsUrl\n        posterUrl\n        storyboardUrl\n        chaptersUrl\n        expiresAt\n      }\n      subtitles {\n        language\n        label\n        generated\n        vttUrl\n        srtUrl\n        updatedAt\n      }\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n": typeof types.WatchVideoDocument,
    "\n  subscription WatchProgress($id: ID, $publicId: String) {\n    videoProgress(id: $id, publicId: $publicId) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n": typeof types.WatchProgressDocument,
    "\n  query AuditLog {\n    auditLog(first: 100) {\n      edges {\n        node {\n          id\n          action\n          targetType\n          targetId\n          reason\n          createdAt\n          actor {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query AdminOverview {\n    adminOverview {\n      videosByStatus {\n        status\n        count\n      }\n      storageBytes\n      users\n      openReports\n      failures {\n        videoId\n        title\n        error\n        failedAt\n      }\n      queues {\n        queue\n        state\n        count\n      }\n      workers {\n        clientId\n        hostname\n        pid\n        startedAt\n      }\n      activity {\n        hour\n        uploadsStarted\n        processed\n        failed\n      }\n      processingTime {\n        count\n        medianSeconds\n        p95Seconds\n      }\n      discardedJobs {\n        id\n        kind\n        queue\n        error\n        discardedAt\n      }\n    }\n  }\n": typeof types.AdminOverviewDocument,
    "\n  query Reports {\n    reports(first: 50) {\n      count\n      video {\n        id\n        title\n        status\n        owner {\n          id\n          name\n        }\n      }\n      reports {\n        id\n        reason\n        note\n        createdAt\n      }\n    }\n  }\n": typeof types.ReportsDocument,
    "\n  mutation ResolveReport($videoId: ID!, $action: ReportAction!, $reason: String) {\n    resolveReport(videoId: $videoId, action: $action, reason: $reason) {\n      id\n      status\n    }\n  }\n": typeof types.ResolveReportDocument,
    "\n  query AdminUsers($search: String, $after: String) {\n    adminUsers(search: $search, first: 50, after: $after) {\n      edges {\n        cursor\n        node {\n          storageBytes\n          videoCount\n          storageQuotaBytes\n          dailyUploads\n          effectiveStorageQuotaBytes\n          effectiveDailyUploads\n          user {\n            id\n            name\n            email\n            isAdmin\n            disabled\n            createdAt\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  mutation SetUserDisabled($userId: ID!, $disabled: Boolean!, $reason: String) {\n    setUserDisabled(userId: $userId, disabled: $disabled, reason: $reason) {\n      id\n      disabled\n    }\n  }\n": typeof types.SetUserDisabledDocument,
    "\n  mutation SetUserAdmin($userId: ID!, $admin: Boolean!) {\n    setUserAdmin(userId: $userId, admin: $admin) {\n      id\n      isAdmin\n    }\n  }\n": typeof types.SetUserAdminDocument,
    "\n  mutation SetUserLimits($userId: ID!, $storageQuotaBytes: Int64, $dailyUploads: Int, $reason: String) {\n    setUserLimits(userId: $userId, storageQuotaBytes: $storageQuotaBytes, dailyUploads: $dailyUploads, reason: $reason) {\n      storageQuotaBytes\n      dailyUploads\n      effectiveStorageQuotaBytes\n      effectiveDailyUploads\n      user {\n        id\n      }\n    }\n  }\n": typeof types.SetUserLimitsDocument,
    "\n  query AdminVideos($status: VideoStatus, $ownerId: ID, $appealed: Boolean) {\n    adminVideos(status: $status, ownerId: $ownerId, appealed: $appealed, first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          privacy\n          createdAt\n          takedownReason\n          takedownAppeal {\n            message\n            createdAt\n          }\n          owner {\n            id\n            name\n          }\n          processing {\n            error\n          }\n        }\n      }\n    }\n  }\n": typeof types.AdminVideosDocument,
    "\n  mutation TakeDownVideo($videoId: ID!, $reason: String!) {\n    takeDownVideo(videoId: $videoId, reason: $reason) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n": typeof types.TakeDownVideoDocument,
    "\n  mutation RestoreVideo($videoId: ID!) {\n    restoreVideo(videoId: $videoId) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n": typeof types.RestoreVideoDocument,
    "\n  mutation AdminDeleteVideo($videoId: ID!, $reason: String) {\n    adminDeleteVideo(videoId: $videoId, reason: $reason)\n  }\n": typeof types.AdminDeleteVideoDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n      isAdmin\n      createdAt\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": typeof types.LogOutDocument,
    "\n  fragment StudioVideoFields on Video {\n    id\n    title\n    status\n    playable\n    duration\n    width\n    height\n    owner {\n      id\n    }\n    edit {\n      start\n      end\n    }\n    chapters {\n      start\n      title\n    }\n    processing {\n      stage\n      percent\n      error\n    }\n    playback {\n      hlsUrl\n      posterUrl\n      storyboardUrl\n    }\n  }\n": typeof types.StudioVideoFieldsFragmentDoc,
    "\n  query Studio($id: ID!) {\n    video(id: $id) {\n      ...StudioVideoFields\n      subtitles {\n        language\n        label\n        generated\n        words {\n          start\n          end\n          text\n        }\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n": typeof types.StudioDocument,
    "\n  mutation StudioEditVideo($input: EditVideoInput!) {\n    editVideo(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n": typeof types.StudioEditVideoDocument,
    "\n  mutation StudioCreateClip($input: CreateClipInput!) {\n    createClip(input: $input) {\n      id\n      title\n    }\n  }\n": typeof types.StudioCreateClipDocument,
    "\n  mutation StudioSetChapters($videoId: ID!, $chapters: [ChapterInput!]) {\n    setChapters(videoId: $videoId, chapters: $chapters) {\n      ...StudioVideoFields\n    }\n  }\n": typeof types.StudioSetChaptersDocument,
    "\n  mutation StudioSetPoster($input: SetPosterInput!) {\n    setPoster(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n": typeof types.StudioSetPosterDocument,
    "\n  fragment SubtitleTrackFields on SubtitleTrack {\n    language\n    label\n    generated\n    provenance\n    vttUrl\n    srtUrl\n    updatedAt\n  }\n": typeof types.SubtitleTrackFieldsFragmentDoc,
    "\n  query SubtitlesEditor($id: ID!) {\n    video(id: $id) {\n      id\n      title\n      status\n      owner {\n        id\n      }\n      subtitles {\n        ...SubtitleTrackFields\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n": typeof types.SubtitlesEditorDocument,
    "\n  mutation UpdateSubtitles($videoId: ID!, $language: String!, $vtt: String!) {\n    updateSubtitles(videoId: $videoId, language: $language, vtt: $vtt) {\n      ...SubtitleTrackFields\n    }\n  }\n": typeof types.UpdateSubtitlesDocument,
    "\n  mutation UploadSubtitles($videoId: ID!, $language: String!, $content: String!, $label: String) {\n    uploadSubtitles(videoId: $videoId, language: $language, content: $content, label: $label) {\n      ...SubtitleTrackFields\n    }\n  }\n": typeof types.UploadSubtitlesDocument,
    "\n  mutation RegenerateSubtitles($videoId: ID!) {\n    regenerateSubtitles(videoId: $videoId) {\n      id\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n": typeof types.RegenerateSubtitlesDocument,
    "\n  query UnfinishedUpload($filename: String!, $size: Int64!) {\n    unfinishedUpload(filename: $filename, size: $size) {\n      uploadUrl\n      offset\n      size\n      expiresAt\n      video {\n        id\n        title\n      }\n    }\n  }\n": typeof types.UnfinishedUploadDocument,
    "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      uploadUrl\n      uploadExpiresAt\n      video {\n        id\n      }\n    }\n  }\n": typeof types.CreateUploadDocument,
    "\n  subscription VideoProgress($id: ID!) {\n    videoProgress(id: $id) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n": typeof types.VideoProgressDocument,
    "\n  mutation UpdateVideo($input: UpdateVideoInput!) {\n    updateVideo(input: $input) {\n      id\n      title\n      description\n      privacy\n    }\n  }\n": typeof types.UpdateVideoDocument,
    "\n  mutation DeleteVideo($id: ID!) {\n    deleteVideo(id: $id)\n  }\n": typeof types.DeleteVideoDocument,
    "\n  mutation RetryProcessing($id: ID!) {\n    retryProcessing(id: $id) {\n      id\n      status\n      playable\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n": typeof types.RetryProcessingDocument,
};
const documents: Documents = {
    "\n  mutation RotatePublicId($videoId: ID!) {\n    rotatePublicId(videoId: $videoId) {\n      id\n      publicId\n    }\n  }\n": types.RotatePublicIdDocument,
    "\n  query Profile {\n    me {\n      id\n      handle\n      description\n    }\n  }\n": types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      handle\n      description\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  mutation ReportVideo($videoId: ID, $publicId: String, $reason: ReportReason!, $note: String) {\n    reportVideo(videoId: $videoId, publicId: $publicId, reason: $reason, note: $note)\n  }\n": types.ReportVideoDocument,
    "\n  fragment VideoCardFields on Video {\n    id\n    title\n    duration\n    createdAt\n    viewCount\n    playback {\n      posterUrl\n      previewUrl\n    }\n  }\n": types.VideoCardFieldsFragmentDoc,
    "\n  query Channel($handle: String!, $order: ChannelVideoOrder!, $first: Int!, $after: String) {\n    channel(handle: $handle) {\n      id\n      name\n      handle\n      description\n      createdAt\n      videoCount\n      channelVideos(order: $order, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...VideoCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.ChannelDocument,
    "\n  fragment DashboardFigures on Analytics {\n    from\n    to\n    interval\n    totals {\n      ...DashboardPoint\n    }\n    series {\n      ...DashboardPoint\n    }\n    retention {\n      second\n      share\n    }\n    renditions {\n      rendition\n      seconds\n      share\n    }\n    topVideos {\n      views\n      watchTimeSeconds\n      video {\n        id\n        title\n      }\n    }\n  }\n  fragment DashboardPoint on AnalyticsPoint {\n    start\n    views\n    uniqueViewers\n    watchTimeSeconds\n    averageViewDurationSeconds\n    playbackAttempts\n    startupTimeMeanMs\n    startupTimeP50Ms\n    startupTimeP95Ms\n    rebufferingRatio\n    exitsBeforeStart\n    playbackFailures\n  }\n": types.DashboardFiguresFragmentDoc,
    "\n  query ChannelAnalytics($range: AnalyticsRange) {\n    channelAnalytics(range: $range) {\n      ...DashboardFigures\n    }\n  }\n": types.ChannelAnalyticsDocument,
    "\n  query VideoAnalytics($id: ID!, $range: AnalyticsRange) {\n    video(id: $id) {\n      id\n      title\n      viewCount\n    }\n    videoAnalytics(videoId: $id, range: $range) {\n      ...DashboardFigures\n    }\n  }\n": types.VideoAnalyticsDocument,
    "\n  subscription LiveViewers($id: ID!) {\n    liveViewers(videoId: $id) {\n      count\n      at\n    }\n  }\n": types.LiveViewersDocument,
    "\n  query Feed($first: Int!, $after: String) {\n    videos(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.FeedDocument,
    "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n": types.LogInDocument,
    "\n  query MyVideos($first: Int!, $after: String) {\n    me {\n      id\n      videos(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            title\n            description\n            status\n            takedownReason\n            takedownAppeal {\n              message\n              createdAt\n            }\n            playable\n            privacy\n            duration\n            createdAt\n            viewCount\n            retryable\n            upload {\n              offset\n              size\n            }\n            playback {\n              posterUrl\n            }\n            processing {\n              stage\n              percent\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MyVideosDocument,
    "\n  mutation AppealTakedown($videoId: ID!, $message: String!) {\n    appealTakedown(videoId: $videoId, message: $message) {\n      id\n      status\n      takedownAppeal {\n        message\n        createdAt\n      }\n    }\n  }\n": types.AppealTakedownDocument,
    "\n  query SearchVideos($query: String!, $first: Int!, $after: String, $filter: SearchFilter) {\n    search(query: $query, first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n        titleHighlight {\n          text\n          match\n        }\n        descriptionHighlight {\n          text\n          match\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.SearchVideosDocument,
    "\n  query SearchMoments($query: String!) {\n    searchTranscripts(query: $query, first: 10) {\n      video {\n        id\n        title\n        duration\n        createdAt\n        owner {\n          id\n          name\n          handle\n        }\n      }\n      cues {\n        start\n        text\n      }\n    }\n  }\n": types.SearchMomentsDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation ImportVideo($input: ImportVideoInput!) {\n    importVideo(input: $input) {\n      id\n      title\n    }\n  }\n": types.ImportVideoDocument,
    "\n  query WatchVideo($id: ID, $publicId: String) {\n    video(id: $id, publicId: $publicId) {\n      id\n      publicId\n      title\n      description\n      status\n      playable\n      privacy\n      duration\n      width\n      height\n      createdAt\n      viewCount\n      owner {\n        id\n        name\n        handle\n      }\n      renditions {\n        name\n        width\n        height\n        bandwidth\n        averageBandwidth\n        codecs\n        frameRate\n      }\n      playback {\n        hlsUrl\n        posterUrl\n        storyboardUrl\n        chaptersUrl\n        expiresAt\n      }\n      subtitles {\n        language\n        label\n        generated\n        vttUrl\n        srtUrl\n        updatedAt\n      }\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n": types.WatchVideoDocument,
    "\n  subscription WatchProgress($id: ID, $publicId: String) {\n    videoProgress(id: $id, publicId: $publicId) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n": types.WatchProgressDocument,
    "\n  query AuditLog {\n    auditLog(first: 100) {\n      edges {\n        node {\n          id\n          action\n          targetType\n          targetId\n          reason\n          createdAt\n          actor {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query AdminOverview {\n    adminOverview {\n      videosByStatus {\n        status\n        count\n      }\n      storageBytes\n      users\n      openReports\n      failures {\n        videoId\n        title\n        error\n        failedAt\n      }\n      queues {\n        queue\n        state\n        count\n      }\n      workers {\n        clientId\n        hostname\n        pid\n        startedAt\n      }\n      activity {\n        hour\n        uploadsStarted\n        processed\n        failed\n      }\n      processingTime {\n        count\n        medianSeconds\n        p95Seconds\n      }\n      discardedJobs {\n        id\n        kind\n        queue\n        error\n        discardedAt\n      }\n    }\n  }\n": types.AdminOverviewDocument,
    "\n  query Reports {\n    reports(first: 50) {\n      count\n      video {\n        id\n        title\n        status\n        owner {\n          id\n          name\n        }\n      }\n      reports {\n        id\n        reason\n        note\n        createdAt\n      }\n    }\n  }\n": types.ReportsDocument,
    "\n  mutation ResolveReport($videoId: ID!, $action: ReportAction!, $reason: String) {\n    resolveReport(videoId: $videoId, action: $action, reason: $reason) {\n      id\n      status\n    }\n  }\n": types.ResolveReportDocument,
    "\n  query AdminUsers($search: String, $after: String) {\n    adminUsers(search: $search, first: 50, after: $after) {\n      edges {\n        cursor\n        node {\n          storageBytes\n          videoCount\n          storageQuotaBytes\n          dailyUploads\n          effectiveStorageQuotaBytes\n          effectiveDailyUploads\n          user {\n            id\n            name\n            email\n            isAdmin\n            disabled\n            createdAt\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AdminUsersDocument,
    "\n  mutation SetUserDisabled($userId: ID!, $disabled: Boolean!, $reason: String) {\n    setUserDisabled(userId: $userId, disabled: $disabled, reason: $reason) {\n      id\n      disabled\n    }\n  }\n": types.SetUserDisabledDocument,
    "\n  mutation SetUserAdmin($userId: ID!, $admin: Boolean!) {\n    setUserAdmin(userId: $userId, admin: $admin) {\n      id\n      isAdmin\n    }\n  }\n": types.SetUserAdminDocument,
    "\n  mutation SetUserLimits($userId: ID!, $storageQuotaBytes: Int64, $dailyUploads: Int, $reason: String) {\n    setUserLimits(userId: $userId, storageQuotaBytes: $storageQuotaBytes, dailyUploads: $dailyUploads, reason: $reason) {\n      storageQuotaBytes\n      dailyUploads\n      effectiveStorageQuotaBytes\n      effectiveDailyUploads\n      user {\n        id\n      }\n    }\n  }\n": types.SetUserLimitsDocument,
    "\n  query AdminVideos($status: VideoStatus, $ownerId: ID, $appealed: Boolean) {\n    adminVideos(status: $status, ownerId: $ownerId, appealed: $appealed, first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          privacy\n          createdAt\n          takedownReason\n          takedownAppeal {\n            message\n            createdAt\n          }\n          owner {\n            id\n            name\n          }\n          processing {\n            error\n          }\n        }\n      }\n    }\n  }\n": types.AdminVideosDocument,
    "\n  mutation TakeDownVideo($videoId: ID!, $reason: String!) {\n    takeDownVideo(videoId: $videoId, reason: $reason) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n": types.TakeDownVideoDocument,
    "\n  mutation RestoreVideo($videoId: ID!) {\n    restoreVideo(videoId: $videoId) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n": types.RestoreVideoDocument,
    "\n  mutation AdminDeleteVideo($videoId: ID!, $reason: String) {\n    adminDeleteVideo(videoId: $videoId, reason: $reason)\n  }\n": types.AdminDeleteVideoDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n      isAdmin\n      createdAt\n    }\n  }\n": types.MeDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": types.LogOutDocument,
    "\n  fragment StudioVideoFields on Video {\n    id\n    title\n    status\n    playable\n    duration\n    width\n    height\n    owner {\n      id\n    }\n    edit {\n      start\n      end\n    }\n    chapters {\n      start\n      title\n    }\n    processing {\n      stage\n      percent\n      error\n    }\n    playback {\n      hlsUrl\n      posterUrl\n      storyboardUrl\n    }\n  }\n": types.StudioVideoFieldsFragmentDoc,
    "\n  query Studio($id: ID!) {\n    video(id: $id) {\n      ...StudioVideoFields\n      subtitles {\n        language\n        label\n        generated\n        words {\n          start\n          end\n          text\n        }\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n": types.StudioDocument,
    "\n  mutation StudioEditVideo($input: EditVideoInput!) {\n    editVideo(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n": types.StudioEditVideoDocument,
    "\n  mutation StudioCreateClip($input: CreateClipInput!) {\n    createClip(input: $input) {\n      id\n      title\n    }\n  }\n": types.StudioCreateClipDocument,
    "\n  mutation StudioSetChapters($videoId: ID!, $chapters: [ChapterInput!]) {\n    setChapters(videoId: $videoId, chapters: $chapters) {\n      ...StudioVideoFields\n    }\n  }\n": types.StudioSetChaptersDocument,
    "\n  mutation StudioSetPoster($input: SetPosterInput!) {\n    setPoster(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n": types.StudioSetPosterDocument,
    "\n  fragment SubtitleTrackFields on SubtitleTrack {\n    language\n    label\n    generated\n    provenance\n    vttUrl\n    srtUrl\n    updatedAt\n  }\n": types.SubtitleTrackFieldsFragmentDoc,
    "\n  query SubtitlesEditor($id: ID!) {\n    video(id: $id) {\n      id\n      title\n      status\n      owner {\n        id\n      }\n      subtitles {\n        ...SubtitleTrackFields\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n": types.SubtitlesEditorDocument,
    "\n  mutation UpdateSubtitles($videoId: ID!, $language: String!, $vtt: String!) {\n    updateSubtitles(videoId: $videoId, language: $language, vtt: $vtt) {\n      ...SubtitleTrackFields\n    }\n  }\n": types.UpdateSubtitlesDocument,
    "\n  mutation UploadSubtitles($videoId: ID!, $language: String!, $content: String!, $label: String) {\n    uploadSubtitles(videoId: $videoId, language: $language, content: $content, label: $label) {\n      ...SubtitleTrackFields\n    }\n  }\n": types.UploadSubtitlesDocument,
    "\n  mutation RegenerateSubtitles($videoId: ID!) {\n    regenerateSubtitles(videoId: $videoId) {\n      id\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n": types.RegenerateSubtitlesDocument,
    "\n  query UnfinishedUpload($filename: String!, $size: Int64!) {\n    unfinishedUpload(filename: $filename, size: $size) {\n      uploadUrl\n      offset\n      size\n      expiresAt\n      video {\n        id\n        title\n      }\n    }\n  }\n": types.UnfinishedUploadDocument,
    "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      uploadUrl\n      uploadExpiresAt\n      video {\n        id\n      }\n    }\n  }\n": types.CreateUploadDocument,
    "\n  subscription VideoProgress($id: ID!) {\n    videoProgress(id: $id) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n": types.VideoProgressDocument,
    "\n  mutation UpdateVideo($input: UpdateVideoInput!) {\n    updateVideo(input: $input) {\n      id\n      title\n      description\n      privacy\n    }\n  }\n": types.UpdateVideoDocument,
    "\n  mutation DeleteVideo($id: ID!) {\n    deleteVideo(id: $id)\n  }\n": types.DeleteVideoDocument,
    "\n  mutation RetryProcessing($id: ID!) {\n    retryProcessing(id: $id) {\n      id\n      status\n      playable\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n": types.RetryProcessingDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotatePublicId($videoId: ID!) {\n    rotatePublicId(videoId: $videoId) {\n      id\n      publicId\n    }\n  }\n"): (typeof documents)["\n  mutation RotatePublicId($videoId: ID!) {\n    rotatePublicId(videoId: $videoId) {\n      id\n      publicId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile {\n    me {\n      id\n      handle\n      description\n    }\n  }\n"): (typeof documents)["\n  query Profile {\n    me {\n      id\n      handle\n      description\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      handle\n      description\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      handle\n      description\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReportVideo($videoId: ID, $publicId: String, $reason: ReportReason!, $note: String) {\n    reportVideo(videoId: $videoId, publicId: $publicId, reason: $reason, note: $note)\n  }\n"): (typeof documents)["\n  mutation ReportVideo($videoId: ID, $publicId: String, $reason: ReportReason!, $note: String) {\n    reportVideo(videoId: $videoId, publicId: $publicId, reason: $reason, note: $note)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment VideoCardFields on Video {\n    id\n    title\n    duration\n    createdAt\n    viewCount\n    playback {\n      posterUrl\n      previewUrl\n    }\n  }\n"): (typeof documents)["\n  fragment VideoCardFields on Video {\n    id\n    title\n    duration\n    createdAt\n    viewCount\n    playback {\n      posterUrl\n      previewUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Channel($handle: String!, $order: ChannelVideoOrder!, $first: Int!, $after: String) {\n    channel(handle: $handle) {\n      id\n      name\n      handle\n      description\n      createdAt\n      videoCount\n      channelVideos(order: $order, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...VideoCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Channel($handle: String!, $order: ChannelVideoOrder!, $first: Int!, $after: String) {\n    channel(handle: $handle) {\n      id\n      name\n      handle\n      description\n      createdAt\n      videoCount\n      channelVideos(order: $order, first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...VideoCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DashboardFigures on Analytics {\n    from\n    to\n    interval\n    totals {\n      ...DashboardPoint\n    }\n    series {\n      ...DashboardPoint\n    }\n    retention {\n      second\n      share\n    }\n    renditions {\n      rendition\n      seconds\n      share\n    }\n    topVideos {\n      views\n      watchTimeSeconds\n      video {\n        id\n        title\n      }\n    }\n  }\n  fragment DashboardPoint on AnalyticsPoint {\n    start\n    views\n    uniqueViewers\n    watchTimeSeconds\n    averageViewDurationSeconds\n    playbackAttempts\n    startupTimeMeanMs\n    startupTimeP50Ms\n    startupTimeP95Ms\n    rebufferingRatio\n    exitsBeforeStart\n    playbackFailures\n  }\n"): (typeof documents)["\n  fragment DashboardFigures on Analytics {\n    from\n    to\n    interval\n    totals {\n      ...DashboardPoint\n    }\n    series {\n      ...DashboardPoint\n    }\n    retention {\n      second\n      share\n    }\n    renditions {\n      rendition\n      seconds\n      share\n    }\n    topVideos {\n      views\n      watchTimeSeconds\n      video {\n        id\n        title\n      }\n    }\n  }\n  fragment DashboardPoint on AnalyticsPoint {\n    start\n    views\n    uniqueViewers\n    watchTimeSeconds\n    averageViewDurationSeconds\n    playbackAttempts\n    startupTimeMeanMs\n    startupTimeP50Ms\n    startupTimeP95Ms\n    rebufferingRatio\n    exitsBeforeStart\n    playbackFailures\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChannelAnalytics($range: AnalyticsRange) {\n    channelAnalytics(range: $range) {\n      ...DashboardFigures\n    }\n  }\n"): (typeof documents)["\n  query ChannelAnalytics($range: AnalyticsRange) {\n    channelAnalytics(range: $range) {\n      ...DashboardFigures\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VideoAnalytics($id: ID!, $range: AnalyticsRange) {\n    video(id: $id) {\n      id\n      title\n      viewCount\n    }\n    videoAnalytics(videoId: $id, range: $range) {\n      ...DashboardFigures\n    }\n  }\n"): (typeof documents)["\n  query VideoAnalytics($id: ID!, $range: AnalyticsRange) {\n    video(id: $id) {\n      id\n      title\n      viewCount\n    }\n    videoAnalytics(videoId: $id, range: $range) {\n      ...DashboardFigures\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveViewers($id: ID!) {\n    liveViewers(videoId: $id) {\n      count\n      at\n    }\n  }\n"): (typeof documents)["\n  subscription LiveViewers($id: ID!) {\n    liveViewers(videoId: $id) {\n      count\n      at\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Feed($first: Int!, $after: String) {\n    videos(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Feed($first: Int!, $after: String) {\n    videos(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($input: LogInInput!) {\n    logIn(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyVideos($first: Int!, $after: String) {\n    me {\n      id\n      videos(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            title\n            description\n            status\n            takedownReason\n            takedownAppeal {\n              message\n              createdAt\n            }\n            playable\n            privacy\n            duration\n            createdAt\n            viewCount\n            retryable\n            upload {\n              offset\n              size\n            }\n            playback {\n              posterUrl\n            }\n            processing {\n              stage\n              percent\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyVideos($first: Int!, $after: String) {\n    me {\n      id\n      videos(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            title\n            description\n            status\n            takedownReason\n            takedownAppeal {\n              message\n              createdAt\n            }\n            playable\n            privacy\n            duration\n            createdAt\n            viewCount\n            retryable\n            upload {\n              offset\n              size\n            }\n            playback {\n              posterUrl\n            }\n            processing {\n              stage\n              percent\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AppealTakedown($videoId: ID!, $message: String!) {\n    appealTakedown(videoId: $videoId, message: $message) {\n      id\n      status\n      takedownAppeal {\n        message\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AppealTakedown($videoId: ID!, $message: String!) {\n    appealTakedown(videoId: $videoId, message: $message) {\n      id\n      status\n      takedownAppeal {\n        message\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchVideos($query: String!, $first: Int!, $after: String, $filter: SearchFilter) {\n    search(query: $query, first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n        titleHighlight {\n          text\n          match\n        }\n        descriptionHighlight {\n          text\n          match\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query SearchVideos($query: String!, $first: Int!, $after: String, $filter: SearchFilter) {\n    search(query: $query, first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          ...VideoCardFields\n          owner {\n            id\n            name\n            handle\n          }\n        }\n        titleHighlight {\n          text\n          match\n        }\n        descriptionHighlight {\n          text\n          match\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchMoments($query: String!) {\n    searchTranscripts(query: $query, first: 10) {\n      video {\n        id\n        title\n        duration\n        createdAt\n        owner {\n          id\n          name\n          handle\n        }\n      }\n      cues {\n        start\n        text\n      }\n    }\n  }\n"): (typeof documents)["\n  query SearchMoments($query: String!) {\n    searchTranscripts(query: $query, first: 10) {\n      video {\n        id\n        title\n        duration\n        createdAt\n        owner {\n          id\n          name\n          handle\n        }\n      }\n      cues {\n        start\n        text\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ImportVideo($input: ImportVideoInput!) {\n    importVideo(input: $input) {\n      id\n      title\n    }\n  }\n"): (typeof documents)["\n  mutation ImportVideo($input: ImportVideoInput!) {\n    importVideo(input: $input) {\n      id\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WatchVideo($id: ID, $publicId: String) {\n    video(id: $id, publicId: $publicId) {\n      id\n      publicId\n      title\n      description\n      status\n      playable\n      privacy\n      duration\n      width\n      height\n      createdAt\n      viewCount\n      owner {\n        id\n        name\n        handle\n      }\n      renditions {\n        name\n        width\n        height\n        bandwidth\n        averageBandwidth\n        codecs\n        frameRate\n      }\n      playback {\n        hlsUrl\n        posterUrl\n        storyboardUrl\n        chaptersUrl\n        expiresAt\n      }\n      subtitles {\n        language\n        label\n        generated\n        vttUrl\n        srtUrl\n        updatedAt\n      }\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n"): (typeof documents)["\n  query WatchVideo($id: ID, $publicId: String) {\n    video(id: $id, publicId: $publicId) {\n      id\n      publicId\n      title\n      description\n      status\n      playable\n      privacy\n      duration\n      width\n      height\n      createdAt\n      viewCount\n      owner {\n        id\n        name\n        handle\n      }\n      renditions {\n        name\n        width\n        height\n        bandwidth\n        averageBandwidth\n        codecs\n        frameRate\n      }\n      playback {\n        hlsUrl\n        posterUrl\n        storyboardUrl\n        chaptersUrl\n        expiresAt\n      }\n      subtitles {\n        language\n        label\n        generated\n        vttUrl\n        srtUrl\n        updatedAt\n      }\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchProgress($id: ID, $publicId: String) {\n    videoProgress(id: $id, publicId: $publicId) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n"): (typeof documents)["\n  subscription WatchProgress($id: ID, $publicId: String) {\n    videoProgress(id: $id, publicId: $publicId) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog {\n    auditLog(first: 100) {\n      edges {\n        node {\n          id\n          action\n          targetType\n          targetId\n          reason\n          createdAt\n          actor {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog {\n    auditLog(first: 100) {\n      edges {\n        node {\n          id\n          action\n          targetType\n          targetId\n          reason\n          createdAt\n          actor {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminOverview {\n    adminOverview {\n      videosByStatus {\n        status\n        count\n      }\n      storageBytes\n      users\n      openReports\n      failures {\n        videoId\n        title\n        error\n        failedAt\n      }\n      queues {\n        queue\n        state\n        count\n      }\n      workers {\n        clientId\n        hostname\n        pid\n        startedAt\n      }\n      activity {\n        hour\n        uploadsStarted\n        processed\n        failed\n      }\n      processingTime {\n        count\n        medianSeconds\n        p95Seconds\n      }\n      discardedJobs {\n        id\n        kind\n        queue\n        error\n        discardedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminOverview {\n    adminOverview {\n      videosByStatus {\n        status\n        count\n      }\n      storageBytes\n      users\n      openReports\n      failures {\n        videoId\n        title\n        error\n        failedAt\n      }\n      queues {\n        queue\n        state\n        count\n      }\n      workers {\n        clientId\n        hostname\n        pid\n        startedAt\n      }\n      activity {\n        hour\n        uploadsStarted\n        processed\n        failed\n      }\n      processingTime {\n        count\n        medianSeconds\n        p95Seconds\n      }\n      discardedJobs {\n        id\n        kind\n        queue\n        error\n        discardedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Reports {\n    reports(first: 50) {\n      count\n      video {\n        id\n        title\n        status\n        owner {\n          id\n          name\n        }\n      }\n      reports {\n        id\n        reason\n        note\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query Reports {\n    reports(first: 50) {\n      count\n      video {\n        id\n        title\n        status\n        owner {\n          id\n          name\n        }\n      }\n      reports {\n        id\n        reason\n        note\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResolveReport($videoId: ID!, $action: ReportAction!, $reason: String) {\n    resolveReport(videoId: $videoId, action: $action, reason: $reason) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ResolveReport($videoId: ID!, $action: ReportAction!, $reason: String) {\n    resolveReport(videoId: $videoId, action: $action, reason: $reason) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($search: String, $after: String) {\n    adminUsers(search: $search, first: 50, after: $after) {\n      edges {\n        cursor\n        node {\n          storageBytes\n          videoCount\n          storageQuotaBytes\n          dailyUploads\n          effectiveStorageQuotaBytes\n          effectiveDailyUploads\n          user {\n            id\n            name\n            email\n            isAdmin\n            disabled\n            createdAt\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminUsers($search: String, $after: String) {\n    adminUsers(search: $search, first: 50, after: $after) {\n      edges {\n        cursor\n        node {\n          storageBytes\n          videoCount\n          storageQuotaBytes\n          dailyUploads\n          effectiveStorageQuotaBytes\n          effectiveDailyUploads\n          user {\n            id\n            name\n            email\n            isAdmin\n            disabled\n            createdAt\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserDisabled($userId: ID!, $disabled: Boolean!, $reason: String) {\n    setUserDisabled(userId: $userId, disabled: $disabled, reason: $reason) {\n      id\n      disabled\n    }\n  }\n"): (typeof documents)["\n  mutation SetUserDisabled($userId: ID!, $disabled: Boolean!, $reason: String) {\n    setUserDisabled(userId: $userId, disabled: $disabled, reason: $reason) {\n      id\n      disabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserAdmin($userId: ID!, $admin: Boolean!) {\n    setUserAdmin(userId: $userId, admin: $admin) {\n      id\n      isAdmin\n    }\n  }\n"): (typeof documents)["\n  mutation SetUserAdmin($userId: ID!, $admin: Boolean!) {\n    setUserAdmin(userId: $userId, admin: $admin) {\n      id\n      isAdmin\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserLimits($userId: ID!, $storageQuotaBytes: Int64, $dailyUploads: Int, $reason: String) {\n    setUserLimits(userId: $userId, storageQuotaBytes: $storageQuotaBytes, dailyUploads: $dailyUploads, reason: $reason) {\n      storageQuotaBytes\n      dailyUploads\n      effectiveStorageQuotaBytes\n      effectiveDailyUploads\n      user {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetUserLimits($userId: ID!, $storageQuotaBytes: Int64, $dailyUploads: Int, $reason: String) {\n    setUserLimits(userId: $userId, storageQuotaBytes: $storageQuotaBytes, dailyUploads: $dailyUploads, reason: $reason) {\n      storageQuotaBytes\n      dailyUploads\n      effectiveStorageQuotaBytes\n      effectiveDailyUploads\n      user {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminVideos($status: VideoStatus, $ownerId: ID, $appealed: Boolean) {\n    adminVideos(status: $status, ownerId: $ownerId, appealed: $appealed, first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          privacy\n          createdAt\n          takedownReason\n          takedownAppeal {\n            message\n            createdAt\n          }\n          owner {\n            id\n            name\n          }\n          processing {\n            error\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminVideos($status: VideoStatus, $ownerId: ID, $appealed: Boolean) {\n    adminVideos(status: $status, ownerId: $ownerId, appealed: $appealed, first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          privacy\n          createdAt\n          takedownReason\n          takedownAppeal {\n            message\n            createdAt\n          }\n          owner {\n            id\n            name\n          }\n          processing {\n            error\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TakeDownVideo($videoId: ID!, $reason: String!) {\n    takeDownVideo(videoId: $videoId, reason: $reason) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TakeDownVideo($videoId: ID!, $reason: String!) {\n    takeDownVideo(videoId: $videoId, reason: $reason) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestoreVideo($videoId: ID!) {\n    restoreVideo(videoId: $videoId) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RestoreVideo($videoId: ID!) {\n    restoreVideo(videoId: $videoId) {\n      id\n      status\n      takedownReason\n      takedownAppeal {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeleteVideo($videoId: ID!, $reason: String) {\n    adminDeleteVideo(videoId: $videoId, reason: $reason)\n  }\n"): (typeof documents)["\n  mutation AdminDeleteVideo($videoId: ID!, $reason: String) {\n    adminDeleteVideo(videoId: $videoId, reason: $reason)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      email\n      isAdmin\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      name\n      email\n      isAdmin\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut {\n    logOut\n  }\n"): (typeof documents)["\n  mutation LogOut {\n    logOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StudioVideoFields on Video {\n    id\n    title\n    status\n    playable\n    duration\n    width\n    height\n    owner {\n      id\n    }\n    edit {\n      start\n      end\n    }\n    chapters {\n      start\n      title\n    }\n    processing {\n      stage\n      percent\n      error\n    }\n    playback {\n      hlsUrl\n      posterUrl\n      storyboardUrl\n    }\n  }\n"): (typeof documents)["\n  fragment StudioVideoFields on Video {\n    id\n    title\n    status\n    playable\n    duration\n    width\n    height\n    owner {\n      id\n    }\n    edit {\n      start\n      end\n    }\n    chapters {\n      start\n      title\n    }\n    processing {\n      stage\n      percent\n      error\n    }\n    playback {\n      hlsUrl\n      posterUrl\n      storyboardUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Studio($id: ID!) {\n    video(id: $id) {\n      ...StudioVideoFields\n      subtitles {\n        language\n        label\n        generated\n        words {\n          start\n          end\n          text\n        }\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n"): (typeof documents)["\n  query Studio($id: ID!) {\n    video(id: $id) {\n      ...StudioVideoFields\n      subtitles {\n        language\n        label\n        generated\n        words {\n          start\n          end\n          text\n        }\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StudioEditVideo($input: EditVideoInput!) {\n    editVideo(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n"): (typeof documents)["\n  mutation StudioEditVideo($input: EditVideoInput!) {\n    editVideo(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StudioCreateClip($input: CreateClipInput!) {\n    createClip(input: $input) {\n      id\n      title\n    }\n  }\n"): (typeof documents)["\n  mutation StudioCreateClip($input: CreateClipInput!) {\n    createClip(input: $input) {\n      id\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StudioSetChapters($videoId: ID!, $chapters: [ChapterInput!]) {\n    setChapters(videoId: $videoId, chapters: $chapters) {\n      ...StudioVideoFields\n    }\n  }\n"): (typeof documents)["\n  mutation StudioSetChapters($videoId: ID!, $chapters: [ChapterInput!]) {\n    setChapters(videoId: $videoId, chapters: $chapters) {\n      ...StudioVideoFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StudioSetPoster($input: SetPosterInput!) {\n    setPoster(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n"): (typeof documents)["\n  mutation StudioSetPoster($input: SetPosterInput!) {\n    setPoster(input: $input) {\n      ...StudioVideoFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SubtitleTrackFields on SubtitleTrack {\n    language\n    label\n    generated\n    provenance\n    vttUrl\n    srtUrl\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment SubtitleTrackFields on SubtitleTrack {\n    language\n    label\n    generated\n    provenance\n    vttUrl\n    srtUrl\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SubtitlesEditor($id: ID!) {\n    video(id: $id) {\n      id\n      title\n      status\n      owner {\n        id\n      }\n      subtitles {\n        ...SubtitleTrackFields\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n"): (typeof documents)["\n  query SubtitlesEditor($id: ID!) {\n    video(id: $id) {\n      id\n      title\n      status\n      owner {\n        id\n      }\n      subtitles {\n        ...SubtitleTrackFields\n      }\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSubtitles($videoId: ID!, $language: String!, $vtt: String!) {\n    updateSubtitles(videoId: $videoId, language: $language, vtt: $vtt) {\n      ...SubtitleTrackFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSubtitles($videoId: ID!, $language: String!, $vtt: String!) {\n    updateSubtitles(videoId: $videoId, language: $language, vtt: $vtt) {\n      ...SubtitleTrackFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadSubtitles($videoId: ID!, $language: String!, $content: String!, $label: String) {\n    uploadSubtitles(videoId: $videoId, language: $language, content: $content, label: $label) {\n      ...SubtitleTrackFields\n    }\n  }\n"): (typeof documents)["\n  mutation UploadSubtitles($videoId: ID!, $language: String!, $content: String!, $label: String) {\n    uploadSubtitles(videoId: $videoId, language: $language, content: $content, label: $label) {\n      ...SubtitleTrackFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegenerateSubtitles($videoId: ID!) {\n    regenerateSubtitles(videoId: $videoId) {\n      id\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RegenerateSubtitles($videoId: ID!) {\n    regenerateSubtitles(videoId: $videoId) {\n      id\n      subtitleState {\n        status\n        note\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UnfinishedUpload($filename: String!, $size: Int64!) {\n    unfinishedUpload(filename: $filename, size: $size) {\n      uploadUrl\n      offset\n      size\n      expiresAt\n      video {\n        id\n        title\n      }\n    }\n  }\n"): (typeof documents)["\n  query UnfinishedUpload($filename: String!, $size: Int64!) {\n    unfinishedUpload(filename: $filename, size: $size) {\n      uploadUrl\n      offset\n      size\n      expiresAt\n      video {\n        id\n        title\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      uploadUrl\n      uploadExpiresAt\n      video {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) {\n      uploadUrl\n      uploadExpiresAt\n      video {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription VideoProgress($id: ID!) {\n    videoProgress(id: $id) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n"): (typeof documents)["\n  subscription VideoProgress($id: ID!) {\n    videoProgress(id: $id) {\n      videoId\n      status\n      stage\n      percent\n      playable\n      error\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateVideo($input: UpdateVideoInput!) {\n    updateVideo(input: $input) {\n      id\n      title\n      description\n      privacy\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateVideo($input: UpdateVideoInput!) {\n    updateVideo(input: $input) {\n      id\n      title\n      description\n      privacy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteVideo($id: ID!) {\n    deleteVideo(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteVideo($id: ID!) {\n    deleteVideo(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryProcessing($id: ID!) {\n    retryProcessing(id: $id) {\n      id\n      status\n      playable\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RetryProcessing($id: ID!) {\n    retryProcessing(id: $id) {\n      id\n      status\n      playable\n      processing {\n        stage\n        percent\n        error\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;