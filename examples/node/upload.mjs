// Upload a video to clipcut with a personal API token, follow its
// processing live until it is READY, then list your videos with their
// playback URLs.
//
//   npm install            # tus-js-client, graphql-ws, ws (see package.json)
//   export CLIPCUT_URL=http://localhost:8080
//   export CLIPCUT_TOKEN=ccp_...   # scopes: uploads:write, videos:read
//   node upload.mjs video.mp4
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import * as tus from 'tus-js-client'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'

const base = (process.env.CLIPCUT_URL ?? '').replace(/\/$/, '')
const token = process.env.CLIPCUT_TOKEN ?? ''
const path = process.argv[2]
if (!base || !token || !path) {
  console.error('usage: CLIPCUT_URL=http://localhost:8080 CLIPCUT_TOKEN=ccp_... node upload.mjs <video file>')
  process.exit(2)
}

// One GraphQL operation over HTTP. A 429 is retried after Retry-After.
async function graphql(query, variables) {
  for (;;) {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
    if (res.status === 429) {
      const wait = Number(res.headers.get('Retry-After') ?? '1')
      console.error(`rate limited; retrying in ${wait}s`)
      await new Promise((r) => setTimeout(r, Math.max(wait, 1) * 1000))
      continue
    }
    const { data, errors } = await res.json()
    if (errors?.length) throw new Error(`${errors[0].message} (${errors[0].extensions?.code})`)
    return data
  }
}

// 1. Create the video and its upload.
const { size } = await stat(path)
const { createUpload } = await graphql(
  `mutation($in: CreateUploadInput!) { createUpload(input: $in) { uploadUrl video { id } } }`,
  { in: { title: basename(path), filename: basename(path), size } },
)
const id = createUpload.video.id
console.log('created video', id)

// 2. Send the bytes with tus-js-client. uploadUrl is an already created
// upload that carries its own authorization: no token on each chunk.
await new Promise((resolve, reject) => {
  const upload = new tus.Upload(createReadStream(path), {
    uploadUrl: createUpload.uploadUrl,
    uploadSize: size,
    chunkSize: 8 * 1024 * 1024,
    retryDelays: [0, 1000, 3000, 5000],
    onError: reject,
    onSuccess: resolve,
  })
  upload.start()
})
console.log('uploaded', size, 'bytes')

// 3. Follow processing until READY with graphql-ws. The first event is the
// current state; the stream ends at READY or FAILED.
const ws = createClient({
  url: base.replace(/^http/, 'ws') + '/graphql',
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
})
try {
  const events = ws.iterate({
    query: `subscription($id: ID!) { videoProgress(id: $id) { status stage percent playable error } }`,
    variables: { id },
  })
  let status = ''
  for await (const { data, errors } of events) {
    if (errors?.length) throw new Error(errors[0].message)
    const p = data.videoProgress
    status = p.status
    console.log(`progress ${p.status} ${p.stage} ${Math.round(p.percent)}% playable=${p.playable}`)
    if (p.status === 'FAILED') throw new Error(`processing failed: ${p.error}`)
    if (p.status === 'READY') break
  }
  if (status !== 'READY') throw new Error('the subscription ended before the video was READY')
} finally {
  await ws.dispose()
}

// 4. List your videos with where to play them.
const { me } = await graphql(`{ me { videos(first: 20) { edges { node {
  id title status playback { hlsUrl posterUrl } } } } } }`)
for (const { node: v } of me.videos.edges) {
  console.log(`video ${v.id} ${JSON.stringify(v.title)} ${v.status}`)
  if (v.playback) {
    console.log(`  hls: ${v.playback.hlsUrl}`)
    if (v.playback.posterUrl) console.log(`  poster: ${v.playback.posterUrl}`)
  }
}
