// The embed page's entry (/embed/<id>, embed.html): the player alone, for
// other sites to frame. It shares the player and the stylesheet with the
// app but not the app itself: no router, no GraphQL client, no header. The
// server writes the video's data into the page (a JSON block, id
// clipcut-embed), so it makes no API call.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { EmbedPage, parseEmbedOptions, readEmbedData } from './pages/EmbedPlayer';
import './styles.css';
import './pages/Embed.css';

const root = document.getElementById('player');
if (!root) throw new Error('embed.html has no #player element');

createRoot(root).render(
  <StrictMode>
    <EmbedPage data={readEmbedData(document)} options={parseEmbedOptions(window.location.search)} />
  </StrictMode>,
);
