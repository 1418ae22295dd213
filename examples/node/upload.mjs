// Upload a video to clipcut with a personal API token and the SDK
// (@clipcut/sdk, in sdk/js), follow its processing live until it is READY,
// then list your videos with their playback URLs.
//
//   make sdk && npm install    # the SDK, linked from ../../sdk/js
//   export CLIPCUT_URL=http://localhost:8080
//   export CLIPCUT_TOKEN=ccp_...   # scopes: uploads:write, videos:read
//   node upload.mjs video.mp4
import { basename } from 'node:path'
import { Clipcut } from '@clipcut/sdk'

const url = process.env.CLIPCUT_URL ?? ''
const token = process.env.CLIPCUT_TOKEN ?? ''
const path = process.argv[2]
if (!url || !token || !path) {
  console.error('usage: CLIPCUT_URL=http://localhost:8080 CLIPCUT_TOKEN=ccp_... node upload.mjs <video file>')
  process.exit(2)
}

const clipcut = new Clipcut(url, token)
try {
  // 1. Create the video and send its bytes with tus. The idempotency key
  // makes a retry safe: run again with the same key and the upload resumes
  // instead of making a second video. passthrough is yours, echoed back.
  let lastPercent = -1
  const video = await clipcut.upload(path, {
    title: basename(path),
    idempotencyKey: process.env.CLIPCUT_IDEMPOTENCY_KEY,
    passthrough: 'example',
    onCreated: ({ video }) => console.log('created video', video.id),
    onProgress: ({ bytesSent, bytesTotal, percent }) => {
      if (Math.floor(percent / 25) === Math.floor(lastPercent / 25) && bytesSent < bytesTotal) return
      lastPercent = percent
      console.log(`uploaded ${bytesSent}/${bytesTotal} bytes (${Math.round(percent)}%)`)
    },
  })

  // 2. Follow processing until READY over the websocket. The first event
  // is the current state; FAILED throws with the reason.
  await clipcut.waitUntilReady(video.id, {
    onProgress: (p) => console.log(`progress ${p.status} ${p.stage} ${Math.round(p.percent)}% playable=${p.playable}`),
  })

  // 3. Your videos with where to play them.
  const page = await clipcut.myVideos({ first: 20, totalCount: true })
  console.log(`${page.totalCount} videos`)
  for (const { node: v } of page.edges) {
    console.log(`video ${v.id} ${JSON.stringify(v.title)} ${v.status}`)
    if (v.playback) {
      console.log(`  hls: ${v.playback.hlsUrl}`)
      if (v.playback.posterUrl) console.log(`  poster: ${v.playback.posterUrl}`)
    }
  }
} finally {
  await clipcut.close()
}
