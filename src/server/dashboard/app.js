/*
 * WorkLedger live dashboard (plain browser JavaScript, no build step). It reads the read-only API of
 * `workledger serve` (same origin), draws the charts the server lays out (the reports' chart code,
 * sent as drawing primitives), and checks a record's Merkle proof in the browser against the root
 * the WorkLedger contract holds, read from the chain through the public RPC (ethers' browser build,
 * window.ethers). It polls /healthz and reloads when the index moves to a new block.
 */
/* global window, document */
(function () {
  "use strict";

  var E = window.ethers;
  var POLL_MS = 3000;
  var EPOCHS_SHOWN = 12;
  /** The latest epochs read per network (one page, newest first): the table and the incidents come from them. */
  var EPOCHS_READ = 500;
  var MAX_CHALLENGE_PAGES = 5;

  /** WorkLedger's views the page calls (human-readable ABI; the test pins it to the compiled ABI). */
  var WORKLEDGER_ABI = [
    "function latestEpoch(uint256 networkId, uint64 epoch) view returns (tuple(bytes32 root, uint32 version, uint8 status, uint32 verifierSetId, uint64 committedAt, uint64 finalizesAt, uint64 remainingWindow, uint64 challengeWindow, uint8 challenges, bytes32 usageRoot))",
    "function recordStatus(uint256 networkId, uint64 epoch, tuple(bytes32 nodeId, uint64 epoch, uint64 workUnits, uint16 uptimeBps, uint128 revenue, bytes32 evidence) record, bytes32[] proof) view returns (bool included, uint8 status, uint32 version)",
  ];
  /** IWorkLedger.EpochStatus, by its enum value. */
  var STATUS_NAMES = ["none", "pending", "challenged", "final", "voided"];
  /** The record leaf: StandardMerkleTree's double keccak of abi.encode of these fields (src/records/codec.ts). */
  var LEAF_TYPES = ["bytes32", "uint64", "uint64", "uint16", "uint128", "bytes32"];

  var state = { again: false, config: null, indexedBlock: null, networks: [], nodes: {}, nodeCounts: {}, token: null, refreshing: null, loadedOnce: false };

  /* ------------------------------------------------------------ formats (as the reports: src/report/render/format.ts) */

  function group(int) {
    return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function fmtInt(v) {
    if (v === null || v === undefined || v === "") return "–";
    var s = String(v);
    if (!/^-?\d+$/.test(s)) return s;
    return s.charAt(0) === "-" ? "-" + group(s.slice(1)) : group(s);
  }
  /** A token amount in smallest units with all the token's decimals: "1,404.000000". */
  function fmtAmount(v, token) {
    if (v === null || v === undefined || v === "") return "–";
    var s = String(v);
    if (!/^-?\d+$/.test(s)) return s;
    var neg = s.charAt(0) === "-";
    var digits = neg ? s.slice(1) : s;
    var d = token && token.decimals ? token.decimals : 0;
    while (digits.length < d + 1) digits = "0" + digits;
    var int = digits.slice(0, digits.length - d);
    var frac = d > 0 ? "." + digits.slice(digits.length - d) : "";
    return (neg ? "-" : "") + group(int) + frac;
  }
  function fmtMoney(v, token) {
    var a = fmtAmount(v, token);
    return a === "–" ? a : a + " " + (token && token.symbol ? token.symbol : "(token's smallest units)");
  }
  function fmtPct(bps) {
    if (bps === null || bps === undefined || bps === "") return "–";
    var n = Number(bps);
    var a = Math.abs(n);
    return (n < 0 ? "-" : "") + Math.floor(a / 100) + "." + String(a % 100).padStart(2, "0") + "%";
  }
  /** ISO 8601 or unix seconds → "2026-11-03 14:05 UTC". */
  function fmtDate(v) {
    if (v === null || v === undefined || v === "" || v === 0 || v === "0") return "–";
    var d = typeof v === "number" || /^\d+$/.test(String(v)) ? new Date(Number(v) * 1000) : new Date(String(v));
    if (isNaN(d.getTime())) return String(v);
    var iso = d.toISOString();
    return iso.slice(0, 10) + " " + iso.slice(11, 16) + " UTC";
  }
  function fmtDuration(sec) {
    var s = Number(sec);
    if (s % 86400 === 0) return s / 86400 + (s === 86400 ? " day" : " days");
    if (s % 3600 === 0) return s / 3600 + (s === 3600 ? " hour" : " hours");
    if (s % 60 === 0) return s / 60 + " min";
    return s + " s";
  }
  function shortId(id) {
    var s = String(id);
    return /^0x[0-9a-fA-F]{16,}$/.test(s) ? s.slice(0, 8) + "…" + s.slice(-4) : s;
  }

  /* ------------------------------------------------------------ DOM helpers */

  function $(id) {
    return document.getElementById(id);
  }
  /** el("td", {class: "r", title: "…"}, child, "text", …) */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) continue;
        if (k === "text") e.textContent = attrs[k];
        else e.setAttribute(k, attrs[k] === true ? "" : String(attrs[k]));
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }
  function badge(status) {
    var s = STATUS_NAMES.indexOf(status) >= 0 ? status : "none";
    return el("span", { class: "badge " + s }, status || "unknown");
  }
  function code(text, title) {
    return el("code", { title: title || null }, text);
  }
  function idCode(id) {
    return code(shortId(id), id);
  }

  /* ------------------------------------------------------------ API */

  function ApiFailure(status, body) {
    var err = body && body.error ? body.error : { code: "http_" + status, message: "HTTP " + status, param: null };
    this.status = status;
    this.code = err.code;
    this.param = err.param;
    this.message = err.message;
  }

  function api(path) {
    return fetch(path, { headers: { accept: "application/json" } }).then(function (res) {
      return res.text().then(function (text) {
        var body;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = null;
        }
        if (!res.ok) throw new ApiFailure(res.status, body);
        return body;
      });
    });
  }

  function itemsOf(body, key) {
    if (Array.isArray(body)) return body;
    if (!body) return [];
    if (Array.isArray(body.items)) return body.items;
    if (key && Array.isArray(body[key])) return body[key];
    return [];
  }
  function nextCursorOf(body) {
    if (!body || Array.isArray(body)) return null;
    var c = body.nextCursor !== undefined ? body.nextCursor : body.next_cursor !== undefined ? body.next_cursor : body.page && body.page.nextCursor;
    return c === undefined || c === "" ? null : c;
  }
  function networkIdOf(n) {
    return Number(n.networkId !== undefined ? n.networkId : n.id);
  }
  function networkLabel(n) {
    var id = networkIdOf(n);
    var name = n.label || n.name;
    return name ? name + " (network " + id + ")" : "network " + id;
  }
  /** The epoch's period from the network's genesis and epoch length: "2026-12-06 09:00 → 10:00 UTC". */
  function epochPeriod(n, epoch) {
    if (!n || !n.genesisTime || !n.epochSeconds) return "–";
    var start = Number(n.genesisTime) + Number(epoch) * Number(n.epochSeconds);
    var a = fmtDate(start);
    var b = fmtDate(start + Number(n.epochSeconds));
    return a.slice(0, 10) === b.slice(0, 10) ? a.slice(0, 16) + " → " + b.slice(11) : a.slice(0, 16) + " → " + b;
  }

  function showError(msg) {
    var p = $("error");
    if (!msg) {
      p.hidden = true;
      p.textContent = "";
    } else {
      p.hidden = false;
      p.textContent = msg;
    }
  }

  /* ------------------------------------------------------------ config and health */

  /**
   * What the reader pins in the page's own URL, so that a proof check does not rest on what this
   * server names: `?rpc=URL` (the chain endpoint the browser reads the root from; default: the
   * server's --public-rpc) and `?ledger=0x…` (the WorkLedger address the network publishes; a
   * record the server places under another ledger is then NOT verified).
   */
  var PINS = (function () {
    var q = new URLSearchParams(window.location.search);
    var rpc = q.get("rpc");
    var ledger = q.get("ledger");
    return {
      rpc: rpc && /^https?:\/\//i.test(rpc) ? rpc : null,
      ledger: ledger && /^0x[0-9a-fA-F]{40}$/.test(ledger) ? ledger.toLowerCase() : null,
      bad: (rpc && !/^https?:\/\//i.test(rpc) ? ["rpc must be an http(s) URL"] : []).concat(ledger && !/^0x[0-9a-fA-F]{40}$/.test(ledger) ? ["ledger must be a 0x-prefixed 20-byte address"] : []),
    };
  })();

  function loadConfig() {
    return api("v1/dashboard/config")
      .catch(function () {
        return null;
      })
      .then(function (c) {
        state.config = c || {};
        return api("healthz").catch(function (e) {
          return e instanceof ApiFailure && e.status === 503 ? null : Promise.reject(e);
        });
      })
      .then(function (h) {
        var c = state.config;
        if (h) {
          if (c.chainId === undefined && h.chainId !== undefined) c.chainId = h.chainId;
          if (c.publicRpc === undefined && h.publicRpc !== undefined) c.publicRpc = h.publicRpc;
        }
        $("chain-id").textContent = c.chainId !== undefined ? String(c.chainId) : "–";
        var ledger = c.workLedger || (c.deployment && c.deployment.workLedger);
        if (ledger) {
          c.workLedger = ledger;
          clear($("ledger")).appendChild(idCode(ledger));
        }
        showHealth(h);
      });
  }

  function showHealth(h) {
    var live = $("live");
    if (!h) return;
    $("indexed-block").textContent = fmtInt(h.indexedBlock);
    $("lag").textContent = h.lagBlocks === null || h.lagBlocks === undefined ? (h.chain === "not_configured" ? "no chain configured" : "chain unreachable") : fmtInt(h.lagBlocks) + (Number(h.lagBlocks) === 1 ? " block" : " blocks");
    live.className = "live" + (h.lagBlocks !== null && h.lagBlocks > 10 ? " stale" : "");
    live.textContent = "Live · updated " + new Date().toISOString().slice(11, 19) + " UTC";
  }

  function poll() {
    api("healthz")
      .then(function (h) {
        showHealth(h);
        // the page's settings, if the first read failed (the API was down when the page opened)
        if (!state.config || state.config.workLedger === undefined) loadConfig().catch(function () {});
        if (h && h.indexedBlock !== state.indexedBlock) {
          state.indexedBlock = h.indexedBlock;
          return refresh();
        }
      })
      .catch(function (e) {
        var live = $("live");
        live.className = "live down";
        live.textContent = "API unreachable (" + (e && e.message ? e.message : "no answer") + "), retrying…";
      })
      .then(function () {
        setTimeout(poll, POLL_MS);
      });
  }

  /* ------------------------------------------------------------ networks, epochs, incidents */

  function loadEpochs(networkId) {
    return api("v1/networks/" + networkId + "/epochs?order=desc&limit=" + EPOCHS_READ).then(function (body) {
      return { items: itemsOf(body, "epochs"), more: nextCursorOf(body) !== null };
    });
  }

  /** Every page of a list (at most `maxPages`). */
  function loadAll(path, key, maxPages) {
    var all = [];
    var pages = 0;
    function page(cursor) {
      return api(path + (path.indexOf("?") >= 0 ? "&" : "?") + "limit=500" + (cursor !== null ? "&cursor=" + encodeURIComponent(cursor) : "")).then(function (body) {
        all = all.concat(itemsOf(body, key));
        var next = nextCursorOf(body);
        pages++;
        if (next !== null && pages < maxPages) return page(next);
        return all;
      });
    }
    return page(null);
  }

  function loadNodes(networkId) {
    return loadAll("v1/networks/" + networkId + "/nodes", "nodes", 2).catch(function () {
      return [];
    });
  }

  function loadChallenges(networkId) {
    return loadAll("v1/networks/" + networkId + "/challenges", "challenges", MAX_CHALLENGE_PAGES).catch(function () {
      return [];
    });
  }

  function epochStatus(ep) {
    return ep.status || (ep.latest && ep.latest.status) || "none";
  }
  function epochVersion(ep) {
    return Number(ep.version !== undefined ? ep.version : ep.latest ? ep.latest.version : ep.versions ? ep.versions.length : 0);
  }
  function pick(ep, key) {
    if (ep[key] !== undefined) return ep[key];
    if (ep.latest && ep.latest[key] !== undefined) return ep.latest[key];
    return undefined;
  }

  function finalityText(ep) {
    var s = epochStatus(ep);
    var at = pick(ep, "finalizesAt");
    if (s === "final") return at ? "final since " + fmtDate(at) : "final";
    if (s === "pending") return at ? "final at " + fmtDate(at) + " unless challenged" : "pending";
    if (s === "challenged") return "waits for the arbiter's ruling";
    if (s === "voided") return "voided: a correction must be committed";
    return "–";
  }

  function renderNetworks() {
    var box = clear($("network-list"));
    if (!state.networks.length) {
      box.appendChild(el("p", { class: "muted" }, "No network in the index yet."));
      return;
    }
    state.networks.forEach(function (n) {
      var id = networkIdOf(n);
      var epochs = (n.epochs || []).slice().sort(function (a, b) {
        return Number(b.epoch) - Number(a.epoch);
      });
      var counts = { final: 0, pending: 0, challenged: 0, voided: 0 };
      epochs.forEach(function (e) {
        var s = epochStatus(e);
        if (counts[s] !== undefined) counts[s]++;
      });
      var total = n.counts && n.counts.epochs !== undefined ? n.counts.epochs : epochs.length;
      var facts = [fmtInt(total) + " epochs"];
      ["final", "pending", "challenged", "voided"].forEach(function (s) {
        if (counts[s]) facts.push(fmtInt(counts[s]) + " " + s + (n.epochsMore ? " (of the latest " + fmtInt(epochs.length) + ")" : ""));
      });
      if (n.counts && n.counts.nodes !== undefined) facts.push(fmtInt(n.counts.nodes) + " nodes");
      if (n.epochSeconds) facts.push("epochs of " + fmtDuration(n.epochSeconds));
      if (n.challengeWindow) facts.push("challenge window " + fmtDuration(n.challengeWindow));
      var wrap = el("div", { class: "network", "data-network": id });
      wrap.appendChild(el("div", { class: "net-head" }, el("h3", null, networkLabel(n)), el("span", { class: "facts" }, facts.join(" · "))));
      if (!epochs.length) {
        wrap.appendChild(el("p", { class: "muted" }, "No epoch committed yet."));
        box.appendChild(wrap);
        return;
      }
      var tbody = el("tbody");
      epochs.slice(0, EPOCHS_SHOWN).forEach(function (ep) {
        var st = epochStatus(ep);
        var v = epochVersion(ep);
        var root = pick(ep, "root");
        tbody.appendChild(
          el(
            "tr",
            { "data-epoch": ep.epoch, "data-status": st },
            el("td", { class: "r epoch" }, fmtInt(ep.epoch)),
            el("td", { class: "period" }, epochPeriod(n, ep.epoch)),
            el("td", { class: "status" }, badge(st)),
            el("td", { class: "r version", title: v > 1 ? "corrected " + (v - 1) + " time(s)" : null }, v > 1 ? "v" + v + " (corrected)" : "v" + v),
            el("td", { class: "r records" }, fmtInt(pick(ep, "recordCount"))),
            el("td", { class: "r revenue" }, fmtMoney(pick(ep, "totalRevenue"), state.token)),
            el("td", { class: "finality" }, finalityText(ep)),
            el("td", { class: "root" }, root ? idCode(root) : "–"),
          ),
        );
      });
      var table = el(
        "table",
        { class: "epochs" },
        el("caption", { class: "muted" }, epochs.length > EPOCHS_SHOWN ? "The latest " + EPOCHS_SHOWN + " of " + fmtInt(total) + " epochs." : "Every epoch, newest first."),
        el("thead", null, el("tr", null, el("th", { class: "r", scope: "col" }, "Epoch"), el("th", { scope: "col", class: "period" }, "Period (UTC)"), el("th", { scope: "col" }, "Status"), el("th", { class: "r", scope: "col" }, "Version"), el("th", { class: "r records", scope: "col" }, "Records"), el("th", { class: "r", scope: "col" }, "Revenue"), el("th", { scope: "col" }, "Finality"), el("th", { scope: "col", class: "root" }, "Root"))),
        tbody,
      );
      wrap.appendChild(el("div", { class: "table-wrap" }, table));
      box.appendChild(wrap);
    });
  }

  var CHALLENGE_TEXT = {
    open: "challenged: the arbiter has not ruled yet",
    upheld: "challenge upheld: the version was voided",
    rejected: "challenge rejected: the version stands, the bond is forfeited",
    expired: "challenge expired unruled: the version stands, the bond is returned",
  };

  function renderIncidents() {
    var box = clear($("incident-list"));
    var items = [];
    state.networks.forEach(function (n) {
      (n.challenges || []).forEach(function (c) {
        var st = c.state === "open" ? "challenged" : c.state === "upheld" ? "voided" : "final";
        var detail = [networkLabel(n)];
        if (c.bond) detail.push("bond " + fmtMoney(c.bond, state.token));
        if (c.challenger) detail.push("by " + shortId(c.challenger));
        if (c.state === "open" && c.deadline) detail.push("ruling due by " + fmtDate(c.deadline));
        detail.push("block " + fmtInt(c.blockNumber));
        items.push({ n: n, epoch: Number(c.epoch), order: Number(c.blockNumber), kind: "challenge", st: c.state === "open" ? "challenged" : c.state === "upheld" ? "voided" : st, tag: c.state, what: "Epoch " + c.epoch + " v" + c.version + " " + (CHALLENGE_TEXT[c.state] || c.state), when: detail.join(" · ") });
      });
      (n.epochs || []).forEach(function (ep) {
        var st = epochStatus(ep);
        var v = epochVersion(ep);
        if (v > 1) items.push({ n: n, epoch: Number(ep.epoch), order: Number(ep.committedBlock || 0), kind: "correction", st: st, tag: "corrected", what: "Epoch " + ep.epoch + " corrected: version " + v + " stands" + (st === "final" ? " and is final" : " (" + st + ")"), when: networkLabel(n) + (ep.committedBlock ? " · committed in block " + fmtInt(ep.committedBlock) : "") });
        else if (st === "voided") items.push({ n: n, epoch: Number(ep.epoch), order: Number(ep.committedBlock || 0), kind: "voided", st: st, tag: "voided", what: "Epoch " + ep.epoch + " is voided and awaits a correction", when: networkLabel(n) });
      });
    });
    if (!items.length) {
      box.appendChild(el("p", { class: "muted" }, "No challenge, voided epoch or correction."));
      return;
    }
    items.sort(function (a, b) {
      return b.order - a.order || b.epoch - a.epoch;
    });
    var ul = el("ul", { class: "incidents" });
    items.forEach(function (it) {
      ul.appendChild(el("li", { "data-epoch": it.epoch, "data-kind": it.kind, "data-state": it.tag }, el("span", { class: "badge " + it.st }, it.tag), el("div", { class: "what" }, el("div", null, it.what), el("div", { class: "when" }, it.when))));
    });
    box.appendChild(ul);
  }

  /* ------------------------------------------------------------ charts (mirror of chartSvg in src/report/render/charts.ts) */

  var SVG = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function n2(v) {
    return String(Math.round(v * 100) / 100);
  }

  function chartSvg(c) {
    var svg = svgEl("svg", { viewBox: "0 0 " + c.width + " " + n2(c.height), role: "img", "aria-label": c.title, "font-family": "Helvetica, Arial, sans-serif" });
    c.primitives.forEach(function (p) {
      if (p.t === "rect") {
        var r = svgEl("rect", { x: n2(p.x), y: n2(p.y), width: n2(p.w), height: n2(p.h), fill: p.fill });
        if (p.stroke) {
          r.setAttribute("stroke", p.stroke);
          r.setAttribute("stroke-width", "0.5");
        }
        if (p.data) for (var k in p.data) r.setAttribute("data-" + k, p.data[k]);
        if (p.title) {
          var t = svgEl("title", {});
          t.textContent = p.title;
          r.appendChild(t);
        }
        svg.appendChild(r);
      } else if (p.t === "text") {
        var tx = svgEl("text", { x: n2(p.x), y: n2(p.y), "font-size": p.size, "text-anchor": p.anchor && p.anchor !== "start" ? p.anchor : null, fill: p.fill || null, "font-weight": p.bold ? "bold" : null });
        tx.textContent = p.text;
        svg.appendChild(tx);
      } else if (p.t === "line") {
        svg.appendChild(
          svgEl("polyline", {
            points: p.points
              .map(function (xy) {
                return n2(xy[0]) + "," + n2(xy[1]);
              })
              .join(" "),
            fill: "none",
            stroke: p.stroke,
            "stroke-width": p.width,
            "stroke-dasharray": p.dash ? "3 2" : null,
          }),
        );
      }
    });
    return svg;
  }

  function loadCharts() {
    var box = $("chart-list");
    return Promise.all(
      state.networks.map(function (n) {
        return api("v1/charts?network=" + networkIdOf(n)).then(
          function (body) {
            return { n: n, body: body };
          },
          function (e) {
            return { n: n, error: e };
          },
        );
      }),
    ).then(function (results) {
      clear(box);
      if (!results.length) box.appendChild(el("p", { class: "muted" }, "No network yet."));
      results.forEach(function (r) {
        var wrap = el("div", { class: "network-charts", "data-network": networkIdOf(r.n) });
        if (results.length > 1) wrap.appendChild(el("h3", null, networkLabel(r.n)));
        if (r.error) {
          wrap.appendChild(el("p", { class: "muted" }, "Charts unavailable: " + r.error.message));
        } else {
          if (r.body.token) state.token = r.body.token;
          var grid = el("div", { class: "charts" });
          // the trend chart first (the section's subject), then the others
          var charts = r.body.charts.slice().sort(function (a, b) {
            return (b.id.indexOf("revenue-per-node-utilization") === 0 ? 1 : 0) - (a.id.indexOf("revenue-per-node-utilization") === 0 ? 1 : 0);
          });
          charts.forEach(function (c) {
            grid.appendChild(el("figure", { id: "chart-" + networkIdOf(r.n) + "-" + c.id, "data-chart": c.id, "data-marks": c.marks }, el("figcaption", null, c.title), chartSvg(c)));
          });
          wrap.appendChild(grid);
          (r.body.omitted || []).forEach(function (o) {
            wrap.appendChild(el("p", { class: "muted" }, "Not drawn here: " + o.id + " (" + o.reason + ")."));
          });
        }
        box.appendChild(wrap);
      });
    });
  }

  /* ------------------------------------------------------------ refresh */

  /** Reloads everything for the index position state.indexedBlock (again after, if it moved meanwhile). */
  function refresh() {
    if (state.refreshing) {
      state.again = true;
      return state.refreshing;
    }
    var target = state.indexedBlock;
    var failed = false;
    state.refreshing = loadAll("v1/networks", "networks", 2)
      .then(function (body) {
        var nets = body;
        return Promise.all(
          nets.map(function (n) {
            var id = networkIdOf(n);
            // the node list (names for the lookup) only when the network's node count changed
            var nodeCount = n.counts ? n.counts.nodes : undefined;
            var nodes = state.nodes[id] && state.nodeCounts[id] === nodeCount ? Promise.resolve(state.nodes[id]) : loadNodes(id);
            return Promise.all([loadEpochs(id), nodes, loadChallenges(id)]).then(function (r) {
              n.epochs = r[0].items;
              n.epochsMore = r[0].more;
              state.nodes[id] = r[1];
              state.nodeCounts[id] = nodeCount;
              n.challenges = r[2];
              return n;
            });
          }),
        );
      })
      .then(function (nets) {
        state.networks = nets;
        showError(null);
        renderNetworks();
        renderIncidents();
        fillLookupForm();
        var tokenBefore = state.token;
        return loadCharts().then(function () {
          // amounts are drawn with the token's decimals, which come with the charts
          if (state.token !== tokenBefore) {
            renderNetworks();
            renderIncidents();
          }
        });
      })
      .catch(function (e) {
        failed = true;
        showError("Cannot load the index: " + (e && e.message ? e.message : String(e)));
      })
      .then(function () {
        state.refreshing = null;
        state.loadedOnce = true;
        // after a failure the next poll tries again; a block indexed meanwhile is loaded right away
        if (failed) state.indexedBlock = null;
        else document.body.setAttribute("data-loaded", String(target));
        if (state.again) {
          state.again = false;
          if (!failed && state.indexedBlock !== target) return refresh();
        }
      });
    return state.refreshing;
  }

  /* ------------------------------------------------------------ proof lookup */

  function fillLookupForm() {
    var sel = $("lookup-network");
    var before = sel.value;
    clear(sel);
    state.networks.forEach(function (n) {
      sel.appendChild(el("option", { value: networkIdOf(n) }, networkLabel(n)));
    });
    if (before) sel.value = before;
    var list = clear($("node-names"));
    var seen = {};
    Object.keys(state.nodes).forEach(function (k) {
      state.nodes[k].forEach(function (node) {
        var name = node.name || null;
        var v = name || node.nodeId;
        if (v && !seen[v]) {
          seen[v] = true;
          list.appendChild(el("option", { value: v }, name ? name + " (" + shortId(node.nodeId) + ")" : ""));
        }
      });
    });
    var ep = $("lookup-epoch");
    if (ep.value === "") {
      var n = state.networks[0];
      var latest = n && n.epochs && n.epochs.length ? Math.max.apply(null, n.epochs.map(function (e) { return Number(e.epoch); })) : 0;
      ep.value = String(latest);
    }
  }

  /** The bytes32 node id for what the user typed: 0x + 64 hex as is; a known name; else keccak256(utf8) (the nodeId rule). */
  function resolveNode(networkId, text) {
    var v = text.trim();
    if (!v) throw new Error("Enter a node id or name.");
    if (/^0x/i.test(v)) {
      if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new Error("A node id starting with 0x must be 32 bytes (64 hex digits).");
      return v.toLowerCase();
    }
    var nodes = state.nodes[networkId] || [];
    for (var i = 0; i < nodes.length; i++) if (nodes[i].name && nodes[i].name === v) return String(nodes[i].nodeId).toLowerCase();
    return E.id(v);
  }

  /** StandardMerkleTree leaf of a record: keccak256(keccak256(abi.encode(fields))). */
  function leafHash(r) {
    var enc = E.AbiCoder.defaultAbiCoder().encode(LEAF_TYPES, [r.nodeId, BigInt(r.epoch), BigInt(r.workUnits), Number(r.uptimeBps), BigInt(r.revenue), r.evidence]);
    return E.keccak256(E.keccak256(enc));
  }
  /** OpenZeppelin's sorted-pair hash. */
  function hashPair(a, b) {
    var x = a.toLowerCase();
    var y = b.toLowerCase();
    return x < y ? E.keccak256(E.concat([x, y])) : E.keccak256(E.concat([y, x]));
  }
  function foldProof(leaf, proof) {
    return proof.reduce(function (h, p) {
      return hashPair(h, p);
    }, leaf);
  }

  function rpcCall(url, method, params) {
    return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: method, params: params }) })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (j) {
        if (j.error) throw new Error(j.error.message || "JSON-RPC error");
        return j.result;
      });
  }

  /**
   * Checks a record proof (the API's record JSON) in the browser, for the record asked for
   * ({networkId, epoch, nodeId}: the server's answer must be that record, not another valid one).
   * Returns {verdict: "ok" | "bad" | "unknown", reason, checks: [{ok, text}], chain: {...}}.
   */
  function verifyInBrowser(file, rpcUrl, asked) {
    var checks = [];
    var problems = [];
    var r = file.record;
    var computed = null;
    try {
      computed = foldProof(leafHash(r), file.proof || []);
    } catch (e) {
      return Promise.resolve({ verdict: "bad", reason: "the record or proof is malformed: " + e.message, checks: checks });
    }
    var askedOk = Number(file.networkId) === Number(asked.networkId) && String(file.epoch) === String(asked.epoch) && String(r.epoch) === String(asked.epoch) && String(r.nodeId).toLowerCase() === asked.nodeId;
    checks.push({ ok: askedOk, text: "the answer is the record asked for (network " + asked.networkId + ", epoch " + asked.epoch + ", node " + shortId(asked.nodeId) + ")" });
    if (!askedOk) problems.push("the server answered with the record of network " + file.networkId + ", epoch " + r.epoch + ", node " + shortId(r.nodeId) + ", not the one asked for (network " + asked.networkId + ", epoch " + asked.epoch + ", node " + shortId(asked.nodeId) + ")");
    if (PINS.bad.length) problems.push("the page URL's pins are malformed: " + PINS.bad.join("; "));
    if (PINS.ledger) {
      var ledgerOk = String(file.ledger).toLowerCase() === PINS.ledger;
      checks.push({ ok: ledgerOk, text: "the ledger is the one you pinned in the page URL (" + shortId(PINS.ledger) + ")" });
      if (!ledgerOk) problems.push("the server placed this record under ledger " + file.ledger + ", not the ledger you pinned (" + PINS.ledger + ")");
    } else {
      checks.push({ ok: null, text: "the ledger " + shortId(file.ledger) + " is the one this server names: compare it with the network's published deployment, or pin it with ?ledger=0x… in the page URL" });
    }
    var matchesServer = file.root && computed === String(file.root).toLowerCase();
    checks.push({ ok: !!matchesServer, text: "the proof folds to the root the server sent (" + shortId(computed) + ")" });
    if (!rpcUrl && (!matchesServer || problems.length)) {
      if (!matchesServer) problems.push("the proof does not lead from this record to the root the server sent");
      return Promise.resolve({ verdict: "bad", reason: problems.join("; ") + " (and the chain check is unavailable: no public RPC)", checks: checks, computed: computed });
    }
    if (!rpcUrl) {
      return Promise.resolve({
        verdict: "unknown",
        reason: "the chain check is unavailable: the server was started without --public-rpc, so the page cannot read the root from the chain" + (matchesServer ? " (the proof does match the server's root)" : ""),
        checks: checks.concat([{ ok: null, text: "root read from the chain: not available" }]),
        computed: computed,
      });
    }
    var chain = { rpc: rpcUrl };
    checks.push({ ok: null, text: PINS.rpc ? "the chain is read through the RPC you pinned in the page URL (" + rpcUrl + ")" : "the chain is read through " + rpcUrl + ", the public RPC this server names (pin your own node with ?rpc=URL in the page URL)" });
    return rpcCall(rpcUrl, "eth_chainId", [])
      .then(function (hex) {
        chain.chainId = Number(BigInt(hex));
        var okChain = chain.chainId === Number(file.chainId);
        checks.push({ ok: okChain, text: "the public RPC is chain " + chain.chainId + (okChain ? ", the proof's chain" : ", but the proof is for chain " + file.chainId) });
        if (!okChain) throw { verdictReason: "the public RPC is chain " + chain.chainId + ", the proof is for chain " + file.chainId };
        var provider = new E.JsonRpcProvider(rpcUrl, chain.chainId, { staticNetwork: E.Network.from(chain.chainId), batchMaxCount: 1 });
        chain.provider = provider;
        return provider.getCode(file.ledger);
      })
      .then(function (codeHex) {
        var hasCode = codeHex && codeHex !== "0x";
        checks.push({ ok: hasCode, text: "a contract is deployed at the ledger " + shortId(file.ledger) });
        if (!hasCode) throw { verdictReason: "no contract at the ledger address " + file.ledger + " on this chain" };
        var wl = new E.Contract(file.ledger, WORKLEDGER_ABI, chain.provider);
        chain.wl = wl;
        return wl.latestEpoch(BigInt(asked.networkId), BigInt(asked.epoch)).catch(function () {
          throw { verdictReason: "epoch " + asked.epoch + " of network " + asked.networkId + " is not committed on chain" };
        });
      })
      .then(function (v) {
        chain.root = String(v.root).toLowerCase();
        chain.version = Number(v.version);
        chain.status = STATUS_NAMES[Number(v.status)] || "unknown";
        chain.finalizesAt = Number(v.finalizesAt);
        var rootOk = computed === chain.root;
        checks.push({ ok: rootOk, text: "the root computed here equals the root on chain of the latest version (v" + chain.version + ", " + shortId(chain.root) + ")" });
        if (!rootOk) problems.push("the proof does not lead from this record to the root the chain holds for the epoch's latest version (computed " + shortId(computed) + ", chain " + shortId(chain.root) + ")");
        var versionOk = chain.version === Number(file.version);
        checks.push({ ok: versionOk, text: "the proof is for the latest version (v" + file.version + (versionOk ? ")" : "; the chain's latest is v" + chain.version + ")") });
        if (!versionOk) problems.push("the proof is for version " + file.version + ", the chain's latest version is " + chain.version);
        var notVoided = chain.status !== "voided" && chain.status !== "none";
        checks.push({ ok: notVoided, text: "the latest version is not voided (on chain: " + chain.status + ")" });
        if (!notVoided) problems.push("the epoch's latest version is " + chain.status + " on chain");
        var rec = { nodeId: r.nodeId, epoch: BigInt(r.epoch), workUnits: BigInt(r.workUnits), uptimeBps: Number(r.uptimeBps), revenue: BigInt(r.revenue), evidence: r.evidence };
        return chain.wl.recordStatus(BigInt(asked.networkId), BigInt(asked.epoch), rec, file.proof).then(
          function (s) {
            chain.included = Boolean(s[0]);
            checks.push({ ok: chain.included, text: "the contract's own recordStatus view agrees (included: " + chain.included + ")" });
            if (!chain.included && !problems.length) problems.push("the contract's recordStatus says the record is not included");
          },
          function () {
            checks.push({ ok: null, text: "the contract's recordStatus view could not be called" });
          },
        );
      })
      .then(function () {
        if (chain.provider) chain.provider.destroy();
        if (problems.length) return { verdict: "bad", reason: problems.join("; "), checks: checks, chain: chain, computed: computed };
        var caution = chain.status === "challenged" ? ": the epoch is challenged, and the arbiter may still void it" : chain.status === "pending" && chain.finalizesAt ? ": final at " + fmtDate(chain.finalizesAt) + " unless challenged" : "";
        return { verdict: "ok", reason: "root of the latest version (v" + chain.version + "), " + chain.status + " on chain" + caution, checks: checks, chain: chain, computed: computed };
      })
      .catch(function (e) {
        if (chain.provider) chain.provider.destroy();
        if (e && e.verdictReason) return { verdict: "bad", reason: problems.concat([e.verdictReason]).join("; "), checks: checks, chain: chain, computed: computed };
        checks.push({ ok: null, text: "the public RPC " + rpcUrl + " did not answer: " + (e && e.message ? e.message : String(e)) });
        return { verdict: "unknown", reason: "the chain check is unavailable: the public RPC did not answer (" + (e && e.message ? e.message : String(e)) + ")", checks: checks, chain: chain, computed: computed };
      });
  }

  function nodeName(networkId, nodeId) {
    var nodes = state.nodes[networkId] || [];
    for (var i = 0; i < nodes.length; i++) if (String(nodes[i].nodeId).toLowerCase() === String(nodeId).toLowerCase()) return nodes[i].name || null;
    return null;
  }

  function renderRecord(file, res) {
    var box = clear($("lookup-result"));
    var token = state.token;
    var r = file.record;
    var cls = res.verdict === "ok" ? "ok" : res.verdict === "bad" ? "bad" : "unknown";
    var head = res.verdict === "ok" ? "Verified against chain" : res.verdict === "bad" ? "NOT verified" : "Chain check unavailable";
    box.appendChild(
      el(
        "p",
        { class: "verdict " + cls, id: "verdict", "data-verdict": res.verdict },
        el("span", { class: "mark", "aria-hidden": "true" }, res.verdict === "ok" ? "✔" : res.verdict === "bad" ? "✘" : "?"),
        el("span", null, head, el("br"), el("span", { class: "why" }, res.reason)),
      ),
    );
    var name = nodeName(file.networkId, r.nodeId);
    var dl = el("dl", { class: "pairs" });
    function row(k, v) {
      dl.appendChild(el("dt", null, k));
      dl.appendChild(el("dd", null, v));
    }
    row("Node", name ? el("span", null, name + " ", idCode(r.nodeId)) : code(r.nodeId));
    row("Network, epoch", "network " + file.networkId + ", epoch " + fmtInt(file.epoch) + ", version " + file.version);
    row("Status (index)", el("span", null, badge(file.status), file.finalizesAt ? " " + (file.status === "final" ? "final since " : "final at ") + fmtDate(file.finalizesAt) : ""));
    if (res.chain && res.chain.status) row("Status (chain)", el("span", null, badge(res.chain.status), " latest version v" + res.chain.version));
    row("Work units", fmtInt(r.workUnits));
    row("Uptime", fmtPct(r.uptimeBps));
    row("Revenue", fmtMoney(r.revenue, token));
    row("Evidence", idCode(r.evidence));
    row("Root (server)", code(file.root));
    if (res.chain && res.chain.root) row("Root (chain)", code(res.chain.root));
    row("Ledger", el("span", null, code(file.ledger), el("br"), el("span", { class: "muted" }, "the WorkLedger contract the roots were read from: compare it with the network's published deployment")));
    box.appendChild(dl);
    var ul = el("ul", { class: "checks", "aria-label": "Checks" });
    res.checks.forEach(function (c) {
      ul.appendChild(el("li", { class: c.ok === true ? "pass" : c.ok === false ? "fail" : "skip" }, c.text));
    });
    box.appendChild(ul);
    var ol = el("ol", { class: "proof", start: "1" });
    (file.proof || []).forEach(function (p) {
      ol.appendChild(el("li", null, code(p)));
    });
    box.appendChild(el("details", null, el("summary", null, "Merkle proof (" + (file.proof || []).length + " hashes) and the raw JSON"), ol, el("pre", { class: "mono", style: "white-space:pre-wrap;overflow-wrap:anywhere;font-size:.78rem" }, JSON.stringify(file, null, 2))));
  }

  function lookup(ev) {
    ev.preventDefault();
    var box = $("lookup-result");
    var btn = $("lookup-go");
    var networkId = $("lookup-network").value;
    var epochText = $("lookup-epoch").value.trim();
    var nodeId;
    try {
      if (!networkId) throw new Error("Choose a network.");
      if (!/^\d+$/.test(epochText)) throw new Error("The epoch must be a whole number (0 or more).");
      nodeId = resolveNode(networkId, $("lookup-node").value);
    } catch (e) {
      clear(box).appendChild(el("p", { class: "verdict bad", "data-verdict": "input" }, e.message));
      return;
    }
    btn.disabled = true;
    clear(box).appendChild(el("p", { class: "muted" }, "Looking up and checking against the chain…"));
    api("v1/networks/" + networkId + "/epochs/" + epochText + "/records/" + nodeId)
      .then(function (file) {
        return verifyInBrowser(file, PINS.rpc || (state.config && state.config.publicRpc), { networkId: Number(networkId), epoch: epochText, nodeId: nodeId }).then(function (res) {
          renderRecord(file, res);
        });
      })
      .catch(function (e) {
        clear(box).appendChild(el("p", { class: "verdict bad", "data-verdict": "notfound" }, e instanceof ApiFailure ? "The API says: " + e.message : "Lookup failed: " + (e && e.message ? e.message : String(e))));
      })
      .then(function () {
        btn.disabled = false;
      });
  }

  /* ------------------------------------------------------------ start */

  function start() {
    if (!E) {
      showError("The ethers browser build did not load (assets/ethers.umd.min.js): the proof check cannot run.");
    }
    $("lookup-form").addEventListener("submit", lookup);
    loadConfig()
      .catch(function (e) {
        showError("Cannot reach the API: " + (e && e.message ? e.message : String(e)));
      })
      .then(poll);
  }

  window.WorkLedgerDashboard = { abi: WORKLEDGER_ABI, leafHash: leafHash, foldProof: foldProof, verifyInBrowser: verifyInBrowser, state: state, fmtAmount: fmtAmount };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
