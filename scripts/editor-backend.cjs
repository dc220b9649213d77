#!/usr/bin/env node
// The content editor's local backend (`npm run editor`): decap-server's own
// express middleware behind a guard. decap-server alone answers any Host and
// reads or writes any file of the working copy, so a web page using DNS
// rebinding, opened while the editor runs, could read .env (the Resend key)
// or write files. The guard refuses, before decap-server sees them:
//   - a Host other than the loopback address it listens on;
//   - an Origin other than the local site's (the editor at /admin/), or none;
//   - any path outside what the editor edits (EDITABLE below), or
//     through a hidden name (.env, .git) or "..".
// Settings, each read here and nowhere else in this program:
//   HUGO_CMS_LOCAL_PORT  this backend's port (default 8081; the /admin/ page
//                        reads the same variable when the site is built)
//   ADDR                 the local site's address, as for `serve`
//                        (default localhost:8080)
//   MODE                 decap-server's mode: fs (default) or git
//   GIT_REPO_DIRECTORY   the working copy (default: the current folder)
'use strict';

const path = require('node:path');
const http = require('node:http');
const express = require('express');
const { registerLocalFs, registerLocalGit } = require('decap-server/dist/middlewares');

// What the editor writes (config.yml's collections and media_folder), each
// ending in "/": the content and uploads folders, and of data/ only the
// clinic's details (the rest of data/ is the site's rules: go-live list, CSP,
// forbidden words, the Go that embeds them).
const EDITABLE = ['content/', 'data/clinic.yaml/', 'assets/images/uploads/'];
// Keys of decap-server's request parameters that name files or folders.
const PATH_KEYS = new Set(['path', 'newPath', 'folder', 'mediaFolder', 'paths']);

const port = Number(process.env.HUGO_CMS_LOCAL_PORT || '8081');
const siteAddr = process.env.ADDR || 'localhost:8080';
const sitePort = siteAddr.slice(siteAddr.lastIndexOf(':') + 1) || '8080';
const loopback = ['localhost', '127.0.0.1', '[::1]'];
const hosts = new Set(loopback.map((h) => `${h}:${port}`));
const origins = new Set(loopback.map((h) => `http://${h}:${sitePort}`));
const editorURL = `http://${siteAddr.startsWith(':') ? 'localhost' + siteAddr : siteAddr}/admin/`;
// Node resolves localhost to ::1 first, while serve listens on 127.0.0.1.
const probeURL = editorURL.replace('//localhost:', '//127.0.0.1:');

// editable reports whether p is a file or folder the editor may touch.
function editable(p) {
  if (typeof p !== 'string' || p === '' || p.includes('\0') || p.includes('\\') || path.posix.isAbsolute(p)) {
    return false;
  }
  const parts = p.split('/');
  if (parts.some((s) => s === '..' || s.startsWith('.'))) {
    return false;
  }
  const norm = path.posix.normalize(p).replace(/\/$/, '') + '/';
  return EDITABLE.some((root) => norm.startsWith(root) || root === norm);
}

// badPath returns the first path in the parameters the editor may not touch.
function badPath(v, key) {
  if (Array.isArray(v)) {
    for (const x of v) {
      const b = badPath(x, key);
      if (b !== undefined) return b;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const b = badPath(x, k);
      if (b !== undefined) return b;
    }
    return undefined;
  }
  if (PATH_KEYS.has(key) && !editable(v)) {
    return String(v);
  }
  return undefined;
}

function refuse(res, why) {
  // Only the reason: the request may hold page text.
  console.error(`editor backend: refused a request: ${why}`);
  res.status(403).json({ error: `refused: ${why}` });
}

function guard(req, res, next) {
  const host = req.headers.host || '';
  if (!hosts.has(host)) {
    return refuse(res, 'Host is not this computer\'s editor backend');
  }
  const origin = req.headers.origin;
  if (!origins.has(origin)) {
    return refuse(res, origin ? 'Origin is not the local site' : 'no Origin');
  }
  const bad = badPath(req.body && req.body.params, '');
  if (bad !== undefined) {
    return refuse(res, `path outside the folders the editor edits: ${JSON.stringify(bad.slice(0, 200))}`);
  }
  next();
}

async function main() {
  const app = express();
  app.disable('x-powered-by');
  // decap-server's own parser, first, so the guard sees the parameters
  // (its second express.json then leaves the parsed body alone).
  app.use(express.json({ limit: '50mb' }));
  app.use(guard);
  const mode = process.env.MODE || 'fs';
  const opts = { logLevel: process.env.LOG_LEVEL || 'info' };
  if (mode === 'fs') {
    await registerLocalFs(app, opts);
  } else if (mode === 'git') {
    await registerLocalGit(app, opts);
  } else {
    throw new Error(`MODE: unknown mode ${JSON.stringify(mode)} (fs or git)`);
  }
  const server = http.createServer(app);
  server.listen(port, '127.0.0.1', () => {
    console.log(`Content editor backend on http://127.0.0.1:${port} (working copy only, for ${[...origins].join(', ')}).`);
    announce();
  });
  server.on('error', (err) => {
    console.error(`editor backend: ${err.message}` + (err.code === 'EADDRINUSE' ? ` (run with HUGO_CMS_LOCAL_PORT=${port + 1})` : ''));
    process.exit(1);
  });
}

// announce prints the editor's address once the site answers there: the
// site is built first, which can take minutes on the first run.
function announce() {
  if (process.env.EDITOR_ANNOUNCE === '0') return;
  const started = Date.now();
  const tryOnce = () => {
    const req = http.get(probeURL, (res) => {
      res.resume();
      if (res.statusCode === 200) {
        console.log(`\nThe content editor is ready: open ${editorURL}\n`);
      } else {
        setTimeout(tryOnce, 2000);
      }
    });
    req.on('error', () => {
      if (Date.now() - started < 30 * 60 * 1000) setTimeout(tryOnce, 2000);
    });
    req.setTimeout(5000, () => req.destroy());
  };
  tryOnce();
}

main().catch((err) => {
  console.error(`editor backend: ${err.message}`);
  process.exit(1);
});
