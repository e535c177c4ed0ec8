/* conceptbook search: the client of the index that `src/search/` builds.
 *
 * A classic script, no framework, so the site works from file://. Nothing is loaded until
 * the reader first focuses or types in the search box; then search/index.js (the
 * manifest), and per query only the term shards and doc chunks it needs, each a <script>
 * that hands its data to `conceptbookSearch`. The tokenizer and the engine mirror
 * src/search/tokenize.rs and src/search/engine.rs step for step (a browser test checks
 * that both sides agree). Everything shown is built with DOM text nodes, never markup.
 * A page opened from a hit (`lora.html?hl=低秩`) marks the query in the note and scrolls
 * to the first match.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ tokenizer
  var MAX_WORD = 32;
  var RE_WORD = /[\p{Alphabetic}\p{N}\p{M}]/u;
  var RE_MARK = /\p{M}/u;

  function isCjk(c) {
    return (c >= 0x3005 && c <= 0x3007) || (c >= 0x3021 && c <= 0x3029) ||
      (c >= 0x3041 && c <= 0x3096) || (c >= 0x309D && c <= 0x309F) ||
      (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x30FC && c <= 0x30FF) ||
      (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
      (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
      (c >= 0x20000 && c <= 0x3FFFF);
  }
  /* Thai, Lao, Myanmar, Khmer and the Tai scripts: no spaces between words, so indexed
     as CJK characters are (src/search/tokenize.rs `is_unspaced`). */
  function isUnspaced(c) {
    return (c >= 0x0E00 && c <= 0x0EFF) || (c >= 0x1000 && c <= 0x109F) ||
      (c >= 0x1780 && c <= 0x17FF) || (c >= 0x1980 && c <= 0x19FF) ||
      (c >= 0x1A20 && c <= 0x1AAF) || (c >= 0xA9E0 && c <= 0xA9FF) ||
      (c >= 0xAA60 && c <= 0xAADF);
  }
  function isMark(c) { return c >= 0x300 && RE_MARK.test(String.fromCodePoint(c)); }

  var WORD = 0, CJK = 1, SPACE = 2, OTHER = 3;

  function classOf(c, ch) {
    if (isCjk(c) || isUnspaced(c)) return CJK;
    if (c < 128) {
      if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return WORD;
      if (c === 32 || (c >= 9 && c <= 13)) return SPACE;
      return OTHER;
    }
    return RE_WORD.test(ch) ? WORD : OTHER;
  }

  /* NFKC then lower case, one segment (a character and the marks after it) at a time.
     Returns the folded text, and per folded character its offset in it, its class and the
     UTF-16 range of its segment in the original. */
  function fold(text) {
    var ft = "", at = [], cls = [], a = [], b = [];
    var n = text.length, i = 0;
    function push(ch, c, s, e) {
      at.push(ft.length); cls.push(classOf(c, ch)); a.push(s); b.push(e); ft += ch;
    }
    while (i < n) {
      var c = text.codePointAt(i), start = i;
      i += c > 0xFFFF ? 2 : 1;
      var single = true;
      while (i < n) {
        var m = text.codePointAt(i);
        if (!isMark(m)) break;
        i += m > 0xFFFF ? 2 : 1;
        single = false;
      }
      if (single && c < 128) {
        var lc = c >= 65 && c <= 90 ? c + 32 : c;
        push(String.fromCharCode(lc), lc, start, i);
      } else if (single && ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF))) {
        push(String.fromCharCode(c), c, start, i);
      } else {
        var f = text.slice(start, i).normalize("NFKC").toLowerCase();
        for (var k = 0; k < f.length;) {
          var fc = f.codePointAt(k), w = fc > 0xFFFF ? 2 : 1;
          push(f.substr(k, w), fc, start, i);
          k += w;
        }
      }
    }
    for (var j = 1; j < at.length - 1; j++) {
      if (ft.charCodeAt(at[j]) === 46 && isDigitAt(ft, at[j - 1]) && isDigitAt(ft, at[j + 1])) cls[j] = WORD;
    }
    return { text: ft, at: at, cls: cls, a: a, b: b };
  }
  function isDigitAt(s, k) { var c = s.charCodeAt(k); return c >= 48 && c <= 57; }

  /* Tokens of a text: {t: term, p: position, s: span, k: WORD|CJK, a, b: UTF-16 range in
     the original, sp: whitespace before}. `query` gives bigrams of CJK runs and a unigram
     for a lone character; otherwise every unigram and bigram. */
  function tokens(text, query) {
    var f = fold(text), out = [], n = f.at.length, pos = 0, space = false, i = 0;
    function slice(x, y) { return f.text.slice(f.at[x], y < n ? f.at[y] : f.text.length); }
    while (i < n) {
      var cl = f.cls[i], j = i + 1;
      while (j < n && f.cls[j] === cl) j++;
      if (cl === SPACE) {
        space = true;
      } else if (cl === WORD) {
        if (j - i <= MAX_WORD) {
          out.push({ t: slice(i, j), p: pos, s: 1, k: WORD, a: f.a[i], b: f.b[j - 1], sp: space });
          space = false;
        }
        pos++;
      } else if (cl === CJK) {
        var len = j - i;
        for (var k = i; k < j; k++) {
          var p = pos + (k - i);
          if (!query || len === 1) {
            out.push({ t: slice(k, k + 1), p: p, s: 1, k: CJK, a: f.a[k], b: f.b[k], sp: space });
            space = false;
          }
          if (k + 1 < j) {
            out.push({ t: slice(k, k + 2), p: p, s: 2, k: CJK, a: f.a[k], b: f.b[k + 1], sp: space });
            space = false;
          }
        }
        pos += len;
      }
      i = j;
    }
    return out;
  }

  // ------------------------------------------------------------------ the index
  var ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = new Int8Array(128);
  for (var d = 0; d < 64; d++) DIGIT[ALPHA.charCodeAt(d)] = d;

  /* Tiers, weights and limits: `rank` of the manifest, written by src/search/rank.rs. */
  var R = null;
  var NAMES = 1, SUMMARY = 2, BODY = 4, FLAG_START = 2, FLAG_END = 1;

  /* starts: the first note of each doc chunk (the manifest's `chunks`). */
  var manifest = null, starts = [], shards = {}, chunks = {}, fuzzy = {}, pinyin = {}, pending = {}, waiting = {}, loaded = [];
  var input = null, root = "";

  /* Loads search/<name> once; calls back (with an error or null) when its data is in
     (for a term shard, a doc chunk or a part of the typo vocabulary: once it is
     decompressed). */
  function load(name, cb) {
    if (waiting[name] === true) { cb(null); return; }
    if (waiting[name]) { waiting[name].push(cb); return; }
    waiting[name] = [cb];
    var s = document.createElement("script");
    s.src = root + "search/" + name;
    s.async = true;
    function done(err) {
      var cbs = waiting[name];
      waiting[name] = err ? null : true;
      if (!err) loaded.push("search/" + name);
      for (var k = 0; k < cbs.length; k++) cbs[k](err);
    }
    s.onload = function () {
      var p = pending[name];
      if (!p) { done(null); return; }
      delete pending[name];
      p.then(function () { done(null); }, function (e) { done(new Error("could not read search/" + name + ": " + e)); });
    };
    s.onerror = function () { done(new Error("could not load search/" + name)); };
    document.head.appendChild(s);
  }

  /* Calls back once every file is in (or with the first error). */
  function loadAll(names, cb) {
    var left = names.length, failed = null;
    if (!left) { cb(null); return; }
    names.forEach(function (n) {
      load(n, function (err) {
        if (err && !failed) failed = err;
        if (--left === 0) cb(failed);
      });
    });
  }

  /* Base 64 of raw deflate → text (src/search/index.rs `deflate`). */
  function inflate(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).text();
  }

  /* A string of base-64 numbers (src/search/encode.rs) → the numbers. */
  function numbers(s) {
    var out = [], i = 0;
    while (i < s.length) {
      var v = 0, x;
      do { x = DIGIT[s.charCodeAt(i++)]; v = v * 32 + (x & 31); } while (x & 32);
      out.push(v);
    }
    return out;
  }

  function addOnce(list, n) { if (list.indexOf(n) < 0) list.push(n); }

  function lowerBound(arr, t) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < t) lo = mid + 1; else hi = mid; }
    return lo;
  }

  function shardOf(t) {
    var s = manifest.shards, lo = 0, hi = s.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (s[mid] <= t) lo = mid + 1; else hi = mid; }
    return Math.max(0, lo - 1);
  }

  /* The shard files a plan needs: for each term a token matches whole, its shard, and for
     a prefix the next ones it begins. */
  function shardFiles(pl) {
    var out = [];
    pl.toks.forEach(function (tok, i) {
      pl.alts[i].forEach(function (t) {
        var k0 = shardOf(t);
        addOnce(out, "terms-" + k0 + ".js");
        if (!pl.prefix[i]) return;
        for (var k = k0 + 1; k < Math.min(k0 + R.max_prefix_shards, manifest.shards.length); k++) {
          if (manifest.shards[k].indexOf(t) !== 0) break;
          addOnce(out, "terms-" + k + ".js");
        }
      });
    });
    return out;
  }

  /* The posting lists a term matches: [list, exact, id]. */
  function matches(t, prefix) {
    var k0 = shardOf(t), k = k0, sh = shards[k], out = [];
    var i = lowerBound(sh.terms, t);
    if (i < sh.terms.length && sh.terms[i] === t) { out.push([sh.lists[i], true, k + ":" + i]); i++; }
    if (!prefix) return out;
    var n = 0;
    for (;;) {
      if (i >= sh.terms.length) {
        k++;
        if (k - k0 >= R.max_prefix_shards || !shards[k]) break;
        sh = shards[k]; i = 0;
      }
      var term = sh.terms[i];
      if (term.indexOf(t) !== 0 || n >= R.max_expansions) break;
      out.push([sh.lists[i], false, k + ":" + i]);
      n++; i++;
    }
    return out;
  }

  /* What token `i` of a plan matched, per note: field mask, best score, name positions. */
  function gather(pl, i) {
    var lists = [], ids = {};
    pl.alts[i].forEach(function (t) {
      matches(t, pl.prefix[i]).forEach(function (m) {
        var at = ids[m[2]];
        if (at === undefined) { ids[m[2]] = lists.length; lists.push(m); }
        else if (m[1]) lists[at][1] = true;
      });
    });
    var docs = manifest.docs, namesOnly = pl.namesOnly[i];
    var we = pl.fuzzy[i] ? R.w_fuzzy : R.w_exact, wp = pl.fuzzy[i] ? R.w_fuzzy : R.w_prefix;
    var mask = new Uint8Array(docs), score = new Float64Array(docs), names = new Map(), hit = [];
    for (var l = 0; l < lists.length; l++) {
      var s = lists[l][0], exact = lists[l][1], w = exact ? we : wp;
      var j = 0, n = s.length, doc = -1;
      var next = function () {
        var v = 0, x;
        do { x = DIGIT[s.charCodeAt(j++)]; v = v * 32 + (x & 31); } while (x & 32);
        return v;
      };
      while (j < n) {
        var head = next();
        doc += Math.floor(head / 8) + 1;
        var m = head % 8, qn = 0, qs = 0, qb = 0, positions = null;
        if (m & NAMES) {
          qn = next();
          var count = next(), pos = 0;
          positions = [];
          for (var c = 0; c < count; c++) { var v = next(); pos += Math.floor(v / 4); positions.push([pos, v & 3, exact]); }
        }
        if (m & SUMMARY) qs = next();
        if (m & BODY) qb = next();
        if (namesOnly) { m &= NAMES; qs = 0; qb = 0; }
        if (!m) continue;
        if (positions) {
          var list = names.get(doc);
          if (list) list.push.apply(list, positions); else names.set(doc, positions);
        }
        if (!mask[doc]) hit.push(doc);
        mask[doc] |= m;
        var sc = (R.w_names * qn + R.w_summary * qs + R.w_body * qb) * w;
        if (sc > score[doc]) score[doc] = sc;
      }
    }
    hit.sort(function (x, y) { return x - y; });
    return { mask: mask, score: score, names: names, docs: hit };
  }

  function chunksOf(toks) {
    var out = [], start = 0;
    for (var i = 1; i <= toks.length; i++) {
      if (i === toks.length || toks[i].sp) { out.push([start, i]); start = i; }
    }
    return out;
  }

  function plan(query) {
    var toks = tokens(query, true);
    if (!toks.length) return null;
    var last = toks[toks.length - 1];
    var prefix = last.k === WORD && (Array.from(last.t).length >= 2 || toks.length > 1);
    return {
      toks: toks, chunks: chunksOf(toks),
      alts: toks.map(function (t) { return [t.t]; }),
      prefix: toks.map(function (t, i) { return (prefix && i === toks.length - 1) || (t.k === CJK && t.s === 1); }),
      namesOnly: toks.map(function () { return false; }),
      fuzzy: toks.map(function () { return false; })
    };
  }

  var INSIDE = 1, BEGINS = 2, COMPLETES = 3, EXACT = 4;

  function quality(how) {
    return how === EXACT ? R.q_exact : how === COMPLETES ? R.q_completes : how === BEGINS ? R.q_begins : how === INSIDE ? R.q_inside : 0;
  }

  /* How tokens [from, to) sit as a phrase in the names of `doc` (0: not at all). */
  function namesPhrase(pl, td, doc, from, to, whole) {
    var base = pl.toks[from].p, lists = [], best = 0;
    for (var i = from; i < to; i++) lists.push(td[i].names.get(doc) || []);
    var firsts = lists[0];
    for (var f = 0; f < firsts.length; f++) {
      var p = firsts[f][0], flags = firsts[f][1];
      if (whole && !(flags & FLAG_START)) continue;
      var how = flags & FLAG_START ? BEGINS : INSIDE, all = true;
      for (var k = 0; k < lists.length && all; k++) {
        var want = p + (pl.toks[from + k].p - base), any = false;
        for (var e = 0; e < lists[k].length; e++) {
          var en = lists[k][e];
          if (en[0] !== want) continue;
          any = true;
          if (k + 1 === lists.length && (en[1] & FLAG_END) && how === BEGINS) how = en[2] ? EXACT : COMPLETES;
        }
        all = any;
      }
      if (all && how > best) best = how;
    }
    return best;
  }

  function candidates(pl, td) {
    var rarest = td[0];
    for (var r = 1; r < td.length; r++) if (td[r].docs.length < rarest.docs.length) rarest = td[r];
    var out = [];
    docs: for (var x = 0; x < rarest.docs.length; x++) {
      var d = rarest.docs[x];
      for (var t = 0; t < td.length; t++) if (!td[t].mask[d]) continue docs;
      var ch = [], allNames = true, allUpper = true, verify = false, names = 0, named = true;
      for (var c = 0; c < pl.chunks.length; c++) {
        var from = pl.chunks[c][0], to = pl.chunks[c][1], and = 7;
        for (var i = from; i < to; i++) and &= td[i].mask[d];
        var how = and & NAMES ? namesPhrase(pl, td, d, from, to, false) : 0;
        if (!(and & NAMES)) named = false;
        names += quality(how);
        var inNames = to - from === 1 ? (td[from].mask[d] & NAMES) !== 0 : how > 0;
        var s = (and & SUMMARY) !== 0, b = (and & BODY) !== 0;
        if (!inNames && !s && !b) continue docs;
        ch.push([inNames, s, b]);
        allNames = allNames && inNames;
        allUpper = allUpper && (inNames || s);
        if (to - from > 1 && !inNames) verify = true;
      }
      var whole = named ? namesPhrase(pl, td, d, 0, pl.toks.length, true) : 0;
      var tier = whole === EXACT ? R.tier_exact : whole === COMPLETES ? R.tier_completes : whole ? R.tier_begins
        : allNames ? R.tier_names : allUpper ? R.tier_summary : R.tier_body;
      var score = 0;
      for (var q = 0; q < td.length; q++) score += td[q].score[d];
      out.push({
        doc: d, major: tier >= R.tier_names ? tier : 0, tier: tier, names: names, score: score,
        chunks: ch, verify: tier < R.tier_names && verify
      });
    }
    return out;
  }

  function cmpHit(a, b) {
    return b.major - a.major || b.names - a.names || b.tier - a.tier || b.score - a.score || a.doc - b.doc;
  }

  /* Positions of a text's tokens: pos → [token, …]. */
  function byPos(toks) {
    var m = new Map();
    for (var i = 0; i < toks.length; i++) {
      var l = m.get(toks[i].p);
      if (l) l.push(toks[i]); else m.set(toks[i].p, [toks[i]]);
    }
    return m;
  }

  function tokenMatches(pl, i, term) {
    var alts = pl.alts[i];
    for (var k = 0; k < alts.length; k++) {
      if (term === alts[k] || (pl.prefix[i] && term.indexOf(alts[k]) === 0)) return true;
    }
    return false;
  }

  /* Every place tokens [from, to) appear as a phrase in a text: [first token, last token]. */
  function phrases(pl, from, to, at) {
    var base = pl.toks[from].p, out = [];
    var starts = Array.from(at.keys()).sort(function (x, y) { return x - y; });
    for (var s = 0; s < starts.length; s++) {
      var p = starts[s], first = null, last = null, ok = true;
      for (var i = from; i < to && ok; i++) {
        var l = at.get(p + pl.toks[i].p - base), hit = null;
        if (l) for (var k = 0; k < l.length; k++) if (tokenMatches(pl, i, l[k].t)) { hit = l[k]; break; }
        if (!hit) ok = false;
        else { if (i === from) first = hit; last = hit; }
      }
      if (ok) out.push([first, last]);
    }
    return out;
  }

  function summaryText(doc) { return [doc.summary].concat(doc.tags).join("\n"); }

  /* The tier a candidate keeps once its summary/body chunks are checked, or 0. */
  function verify(pl, c, doc) {
    var sAt = null, bAt = null, upper = true;
    for (var k = 0; k < pl.chunks.length; k++) {
      var from = pl.chunks[k][0], to = pl.chunks[k][1], st = c.chunks[k];
      if (st[0]) continue;
      if (to - from === 1) { upper = upper && st[1]; continue; }
      if (st[1]) {
        sAt = sAt || byPos(tokens(summaryText(doc), false));
        if (phrases(pl, from, to, sAt).length) continue;
      }
      if (st[2]) {
        /* a body cut short may hold the phrase past the cut (engine.rs `verify`) */
        if (doc.cut) { upper = false; continue; }
        bAt = bAt || byPos(tokens(doc.body, false));
        if (phrases(pl, from, to, bAt).length) { upper = false; continue; }
      }
      return 0;
    }
    return upper ? R.tier_summary : R.tier_body;
  }

  function partialCandidates(td) {
    var need = Math.max(1, Math.ceil(td.length / 2)), count = new Map();
    td.forEach(function (t) { t.docs.forEach(function (d) { count.set(d, (count.get(d) || 0) + 1); }); });
    var out = [];
    count.forEach(function (n, d) {
      if (n < need) return;
      var names = 0, score = 0;
      td.forEach(function (t) {
        var l = t.names.get(d);
        if (l) names += l.some(function (e) { return e[1] === (FLAG_START | FLAG_END) && e[2]; }) ? 2 : 1;
        score += t.score[d];
      });
      var tier = Math.min(n, 255);
      out.push({ doc: d, major: tier, tier: tier, names: names, score: score, chunks: [], verify: false });
    });
    return out;
  }

  // ------------------------------------------------------------------ forgiving
  /* The edits a word of `len` letters may be from the word it is a typo of. */
  function maxEdits(len) { return len < R.fuzzy_min_len ? 0 : len < R.fuzzy_two_from ? 1 : 2; }

  function fuzzyTerm(t) { return t.length + 1 >= R.fuzzy_min_len && /^[a-z0-9]+$/.test(t) && /[a-z]/.test(t); }

  function fuzzyKeys(t) { return ["f" + t[0], "l" + t[t.length - 1]]; }

  /* Optimal string alignment distance, or -1 once it must exceed `max` (rank.rs `osa`). */
  function osa(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return -1;
    var w = b.length + 1, prev2 = new Array(w).fill(0), prev = [], cur = new Array(w).fill(0), prevMin = 0;
    for (var j = 0; j < w; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      cur[0] = i;
      var rowMin = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > max && prevMin > max) return -1;
      prevMin = rowMin;
      var tmp = prev2; prev2 = prev; prev = cur; cur = tmp;
    }
    return prev[b.length] <= max ? prev[b.length] : -1;
  }

  /* Close words of the typo vocabulary, best first (rank.rs / engine.rs `corrections`). */
  function corrections(term) {
    var max = maxEdits(term.length), found = [], seen = {};
    fuzzyKeys(term).forEach(function (key) {
      (fuzzy[key] || []).forEach(function (v) {
        for (var i = 0; i < v.words.length; i++) {
          var w = v.words[i];
          if (w === term || seen[w]) continue;
          var dist = osa(term, w, max);
          if (dist >= 0) { seen[w] = true; found.push([dist, v.weights[i], w]); }
        }
      });
    });
    found.sort(function (a, b) { return a[0] - b[0] || (b[1] & 1) - (a[1] & 1) || b[1] - a[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0); });
    return found.slice(0, R.fuzzy_max_terms).map(function (f) { return f[2]; });
  }

  function pinyinBlock(c) {
    var t = manifest.pinyin;
    if (!t || c < t.from) return -1;
    var k = Math.floor((c - t.from) / Math.max(1, t.block));
    return t.blocks.indexOf(k) >= 0 ? k : -1;
  }

  function readings(c) {
    var k = pinyinBlock(c), t = manifest.pinyin;
    if (k < 0 || !pinyin[k]) return [];
    var e = pinyin[k][(c - t.from) % t.block];
    return e ? e.split(",") : [];
  }

  /* Spellings of a run of Han characters in pinyin (engine.rs `pinyin_variants`). */
  function pinyinVariants(chars) {
    var rs = chars.map(function (ch) { return readings(ch.codePointAt(0)); });
    if (rs.some(function (r) { return !r.length; })) return [];
    function spell(at, k) { return rs.map(function (r, i) { return i === at ? r[k] : r[0]; }).join(""); }
    var out = [spell(-1, 0)];
    all: for (var i = 0; i < rs.length; i++) {
      for (var k = 1; k < rs[i].length; k++) {
        if (out.length >= R.pinyin_variants) break all;
        addOnce(out, spell(i, k));
      }
    }
    return out;
  }

  function isBigram(t) { return t.k === CJK && t.s === 2; }

  /* The weak tokens of a plan: Latin words to correct, runs of Han bigrams [i, j) to spell
     in pinyin; and the files that needs. */
  function weakness(pl, td) {
    var n = pl.toks.length, words = [], runs = [], files = [];
    function weak(i) { return td[i].docs.length < R.fuzzy_below; }
    pl.toks.forEach(function (t, i) {
      if (t.k === WORD && weak(i) && fuzzyTerm(t.t) && maxEdits(Array.from(t.t).length) > 0) {
        words.push(i);
        /* every part of the key: its words are cut in parts of bounded size */
        fuzzyKeys(t.t).forEach(function (key) {
          var parts = Object.prototype.hasOwnProperty.call(manifest.fuzzy, key) ? manifest.fuzzy[key] : 0;
          for (var k = 0; k < parts; k++) addOnce(files, "fuzzy-" + key + "-" + k + ".js");
        });
      }
    });
    if (manifest.pinyin) {
      for (var i = 0; i < n;) {
        if (!isBigram(pl.toks[i])) { i++; continue; }
        var j = i + 1;
        while (j < n && isBigram(pl.toks[j]) && !pl.toks[j].sp && pl.toks[j].p === pl.toks[j - 1].p + 1) j++;
        var isWeak = false;
        for (var k = i; k < j; k++) if (weak(k)) isWeak = true;
        if (isWeak) {
          var chars = [];
          for (k = i; k < j; k++) chars.push(Array.from(pl.toks[k].t)[0]);
          chars.push(Array.from(pl.toks[j - 1].t)[1]);
          runs.push([i, j, chars]);
          chars.forEach(function (ch) {
            var b = pinyinBlock(ch.codePointAt(0));
            if (b >= 0) addOnce(files, "pinyin-" + b + ".js");
          });
        }
        i = j;
      }
    }
    return (words.length || runs.length) ? { words: words, runs: runs, files: files } : null;
  }

  /* The plan asked again with its weak tokens replaced, and the suggestion (or null). */
  function forgive(query, pl, weak) {
    var n = pl.toks.length, fixes = {}, any = false, runAt = {};
    weak.words.forEach(function (i) {
      var c = corrections(pl.toks[i].t);
      if (c.length) { fixes[i] = c; any = true; }
    });
    weak.runs.forEach(function (r) {
      var v = pinyinVariants(r[2]);
      if (v.length) runAt[r[0]] = [r[1], v];
    });
    if (!any && !Object.keys(runAt).length) return null;
    var p = { toks: [], alts: [], prefix: [], namesOnly: [], fuzzy: [] }, shift = 0;
    for (var i = 0; i < n;) {
      var t = pl.toks[i], run = runAt[i];
      if (run) {
        var last = pl.toks[run[0] - 1];
        p.toks.push({ t: run[1][0], p: t.p - shift, s: 1, k: WORD, a: t.a, b: last.b, sp: t.sp });
        p.alts.push(run[1]); p.prefix.push(true); p.namesOnly.push(true); p.fuzzy.push(true);
        shift += run[0] - i;
        i = run[0];
        continue;
      }
      p.toks.push({ t: t.t, p: t.p - shift, s: t.s, k: t.k, a: t.a, b: t.b, sp: t.sp });
      if (fixes[i]) { p.alts.push(fixes[i].concat([t.t])); p.prefix.push(false); p.fuzzy.push(true); }
      else { p.alts.push(pl.alts[i]); p.prefix.push(pl.prefix[i]); p.fuzzy.push(false); }
      p.namesOnly.push(false);
      i++;
    }
    p.chunks = chunksOf(p.toks);
    var suggest = null;
    if (any) {
      suggest = query;
      for (i = n - 1; i >= 0; i--) {
        if (fixes[i]) suggest = suggest.slice(0, pl.toks[i].a) + fixes[i][0] + suggest.slice(pl.toks[i].b);
      }
    }
    return { plan: p, suggest: suggest };
  }

  /* The doc chunk holding note `doc`: the last whose first note is not after it. */
  function chunkOf(doc) {
    var lo = 0, hi = starts.length;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (starts[mid] <= doc) lo = mid; else hi = mid; }
    return lo;
  }
  function docOf(d) { var k = chunkOf(d), c = chunks[k]; return c && c[d - starts[k]]; }

  /* Runs a query; calls back with {hits: [{doc, slug, tier, score, fuzzy, plan, data}],
     partial, suggest, plan, ms: time spent computing, not loading} or with an error. */
  function search(query, cb) {
    var pl = plan(query);
    if (!pl) { cb(null, { hits: [], partial: false, suggest: null, plan: null, ms: 0 }); return; }
    var ms = 0, depth = 0;
    /* Wraps a callback so that `ms` counts the time spent in it (once, when nested). */
    function timed(f) {
      return function (err) {
        var t0 = depth++ ? 0 : performance.now();
        try { f(err); } finally { if (--depth === 0) ms += performance.now() - t0; }
      };
    }
    /* The best hits of a plan, checking phrases against doc chunks loaded as needed;
       calls back with (hits, partial). */
    function rank(p, td, limit, done) {
      var cands = candidates(p, td).sort(cmpHit), hits = [], i = 0;
      function walk() {
        while (i < cands.length) {
          var c = cands[i];
          if (hits.length >= limit && cmpHit(hits[limit - 1], c) < 0) break;
          if (c.verify) {
            if (!chunks[chunkOf(c.doc)]) { fetchAhead(); return; }
            var tier = verify(p, c, docOf(c.doc));
            if (!tier) { i++; continue; }
            c.tier = tier;
          }
          var at = 0;
          while (at < hits.length && cmpHit(hits[at], c) < 0) at++;
          hits.splice(at, 0, c);
          if (hits.length > limit) hits.length = limit;
          i++;
        }
        if (hits.length) { done(hits, false); return; }
        done(partialCandidates(td).sort(cmpHit).slice(0, limit), true);
      }
      /* Loads the doc chunks of the next candidates that need checking. */
      function fetchAhead() {
        var files = [];
        for (var j = i; j < cands.length && files.length < limit; j++) {
          if (!cands[j].verify) continue;
          if (!chunks[chunkOf(cands[j].doc)]) addOnce(files, "docs-" + chunkOf(cands[j].doc) + ".js");
        }
        loadAll(files, timed(function (err) { if (err) cb(err); else walk(); }));
      }
      walk();
    }
    function finish(hits, partial, suggest) {
      var files = [];
      hits.forEach(function (h) { addOnce(files, "docs-" + chunkOf(h.doc) + ".js"); });
      loadAll(files, timed(function (err) {
        if (err) { cb(err); return; }
        cb(null, {
          hits: hits.map(function (h) {
            var dd = docOf(h.doc);
            return { doc: h.doc, slug: dd.slug, tier: h.tier, score: h.score, fuzzy: h.fuzzy, plan: h.plan, data: dd };
          }),
          partial: partial && hits.length > 0, suggest: suggest, plan: pl, ms: ms
        });
      }));
    }
    withManifest(function (err) {
      if (err) { cb(err); return; }
      var limit = R.limit;
      if (!manifest.shards.length) { cb(null, { hits: [], partial: false, suggest: null, plan: pl, ms: 0 }); return; }
      loadAll(shardFiles(pl), timed(function (err) {
        if (err) { cb(err); return; }
        var td = pl.toks.map(function (t, i) { return gather(pl, i); });
        rank(pl, td, limit, function (found, partial) {
          var hits = found.map(function (c) { c.fuzzy = false; c.plan = pl; return c; });
          var weak = (partial || hits.length < limit) && weakness(pl, td);
          if (!weak) { finish(hits, partial, null); return; }
          loadAll(weak.files, timed(function (err) {
            if (err) { cb(err); return; }
            var again = forgive(query, pl, weak);
            if (!again) { finish(hits, partial, null); return; }
            var p2 = again.plan;
            loadAll(shardFiles(p2), timed(function (err) {
              if (err) { cb(err); return; }
              var td2 = p2.toks.map(function (t, i) { return gather(p2, i); });
              rank(p2, td2, limit, function (more, partial2) {
                var suggest = null;
                if (more.length && (!partial2 || !hits.length)) {
                  if (partial && !partial2) hits = [];
                  partial = partial2;
                  more.forEach(function (c) {
                    if (hits.length >= limit || hits.some(function (h) { return h.doc === c.doc; })) return;
                    c.fuzzy = true; c.plan = p2;
                    hits.push(c);
                    suggest = again.suggest;
                  });
                }
                finish(hits, partial, suggest);
              });
            }));
          }));
        });
      }));
    });
  }

  function withManifest(cb) {
    if (manifest) { cb(null); return; }
    load("index.js", function (err) { cb(err || (manifest ? null : new Error("no manifest"))); });
  }

  // ------------------------------------------------------------------ highlighting
  /* UTF-16 ranges [a, b) of `text` that match the query: each chunk's phrases, or, when a
     chunk has none here, its tokens one by one. */
  function ranges(pl, text) {
    if (!pl || !text) return [];
    var at = byPos(tokens(text, false)), out = [];
    pl.chunks.forEach(function (ch) {
      var found = phrases(pl, ch[0], ch[1], at);
      if (!found.length && ch[1] - ch[0] > 1) {
        for (var i = ch[0]; i < ch[1]; i++) found = found.concat(phrases(pl, i, i + 1, at));
      }
      found.forEach(function (f) { out.push([f[0].a, f[1].b]); });
    });
    out.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; });
    var merged = [];
    out.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  /* Appends text[from, to) to `parent`, with the ranges inside marked; whitespace runs
     become single spaces. */
  function appendMarked(parent, text, rs, from, to, markClass) {
    var pos = from;
    function put(s) { parent.appendChild(document.createTextNode(s.replace(/\s+/g, " "))); }
    rs.forEach(function (r) {
      var a = Math.max(r[0], from), b = Math.min(r[1], to);
      if (a >= b) return;
      if (a > pos) put(text.slice(pos, a));
      var m = document.createElement("mark");
      if (markClass) m.className = markClass;
      m.textContent = text.slice(a, b);
      parent.appendChild(m);
      pos = b;
    });
    if (pos < to) put(text.slice(pos, to));
  }

  /* A window of `text` around its first match. */
  function snippet(parent, text, rs) {
    var before = 24, after = 80;
    var a = Math.max(0, rs[0][0] - before), b = Math.min(text.length, rs[0][0] + after);
    // do not cut a surrogate pair or a word in two
    while (a > 0 && a > rs[0][0] - before - 12 && /[\p{L}\p{N}]/u.test(text[a - 1]) && !isCjk(text.charCodeAt(a - 1))) a--;
    if (a > 0 && text.charCodeAt(a) >= 0xDC00 && text.charCodeAt(a) <= 0xDFFF) a--;
    if (b < text.length && text.charCodeAt(b) >= 0xDC00 && text.charCodeAt(b) <= 0xDFFF) b++;
    if (a > 0) parent.appendChild(document.createTextNode("…"));
    appendMarked(parent, text, rs, a, b);
    if (b < text.length) parent.appendChild(document.createTextNode("…"));
  }

  // ------------------------------------------------------------------ the panel
  var panel, list, statusEl, labels = null, seq = 0, active = -1, current = [];

  function el(tag, cls) { var e = document.createElement(tag); if (cls) e.className = cls; return e; }

  function label(key, n) {
    var l = (labels && labels[key]) || "";
    return l.replace("{n}", String(n));
  }

  function setStatus(text) { statusEl.textContent = text; }

  function open(on) {
    panel.hidden = !on;
    input.setAttribute("aria-expanded", on ? "true" : "false");
    if (!on) setActive(-1);
  }

  function setActive(k) {
    var items = list.querySelectorAll("[role=option]");
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = k;
    if (k >= 0 && items[k]) {
      items[k].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[k].id);
      if (items[k].scrollIntoView) items[k].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function hrefOf(slug, query) {
    return root + encodeURI(slug) + ".html?hl=" + encodeURIComponent(query);
  }

  function row(hit, k, pl, query) {
    var d = hit.data;
    // The link itself is the option (the list item is presentational): an option must
    // not hold another interactive element.
    var li = el("li");
    li.setAttribute("role", "none");
    var a = el("a");
    a.id = "search-hit-" + k;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.dataset.slug = d.slug;
    a.href = hrefOf(d.slug, query);
    a.tabIndex = -1;
    var head = el("span", "hit-head");
    var title = el("span", "hit-title");
    appendMarked(title, d.title, ranges(pl, d.title), 0, d.title.length);
    head.appendChild(title);
    if (!title.querySelector("mark")) {
      for (var i = 0; i < d.aliases.length; i++) {
        var rs = ranges(pl, d.aliases[i]);
        if (!rs.length) continue;
        var alias = el("span", "hit-alias");
        alias.appendChild(document.createTextNode(label("aliases") + " "));
        appendMarked(alias, d.aliases[i], rs, 0, d.aliases[i].length);
        head.appendChild(alias);
        break;
      }
    }
    a.appendChild(head);
    if (d.crumbs.length) {
      var path = el("span", "hit-path");
      path.textContent = d.crumbs.join(" › ");
      a.appendChild(path);
    }
    var snip = el("span", "hit-snippet");
    var srs = ranges(pl, d.summary);
    var brs = srs.length ? [] : ranges(pl, d.body);
    if (brs.length) snippet(snip, d.body, brs);
    else appendMarked(snip, d.summary, srs, 0, d.summary.length);
    a.appendChild(snip);
    li.appendChild(a);
    li.addEventListener("mousemove", function () { if (active !== k) setActive(k); });
    return li;
  }

  /* "Did you mean …?" above the hits, the corrected query a button that asks it. */
  function suggestion(text) {
    var p = panel.querySelector(".search-suggest");
    if (!text) { if (p) p.parentNode.removeChild(p); return; }
    if (!p) { p = el("p", "search-suggest"); panel.insertBefore(p, panel.firstChild); }
    p.textContent = "";
    var parts = (label("did_you_mean") || "{q}").split("{q}");
    var b = el("button", "search-suggest-query");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", function () { input.value = text; input.focus(); run(); });
    p.appendChild(document.createTextNode(parts[0]));
    p.appendChild(b);
    p.appendChild(document.createTextNode(parts.slice(1).join("{q}")));
  }

  function render(query, res) {
    list.textContent = "";
    current = res.hits;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    var frag = document.createDocumentFragment();
    res.hits.forEach(function (h, k) { frag.appendChild(row(h, k, h.plan || res.plan, query)); });
    list.appendChild(frag);
    suggestion(res.suggest);
    panel.classList.toggle("partial", !!res.partial);
    var n = res.hits.length;
    setStatus(!n ? label("no_results") || input.dataset.noResults
      : res.partial ? label("partial")
      : n === 1 ? label("one") : label(n >= R.limit ? "more" : "count", n));
    open(true);
    input.dataset.answered = query;
  }

  function run() {
    var query = input.value, mine = ++seq;
    if (!query.trim()) {
      list.textContent = ""; current = []; setStatus(""); suggestion(null); open(false);
      input.dataset.answered = query;
      return;
    }
    if (!manifest) { setStatus(label("loading") || "…"); open(true); }
    search(query, function (err, res) {
      if (mine !== seq) return;
      if (err) {
        list.textContent = ""; current = []; suggestion(null);
        setStatus(label("error") || fallbackError());
        open(true);
        input.dataset.answered = query;
        return;
      }
      render(query, res);
    });
  }

  /* The index failed to load, so its labels did: the page carries this one. */
  function fallbackError() {
    return input.dataset.error || "";
  }

  function go(k) {
    var h = current[k];
    if (h) location.href = hrefOf(h.slug, input.value);
  }

  function onKey(e) {
    var n = current.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!n) return;
      e.preventDefault();
      if (panel.hidden) open(true);
      var step = e.key === "ArrowDown" ? 1 : -1;
      setActive(active < 0 ? (step > 0 ? 0 : n - 1) : (active + step + n) % n);
    } else if (e.key === "Enter") {
      if (e.isComposing || !n) return;
      e.preventDefault();
      go(active >= 0 ? active : 0);
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (input.value || !panel.hidden) {
        input.value = "";
        run();
      } else {
        input.blur();
      }
    }
  }

  function setup() {
    input = document.getElementById("q");
    panel = document.getElementById("search-panel");
    // The results panel serves only this script, so it is made here rather than written
    // into every page (a custom base.html that still carries one keeps it).
    if (input && !panel) {
      panel = document.createElement("div");
      panel.className = "search-panel";
      panel.id = "search-panel";
      panel.hidden = true;
      panel.innerHTML = '<ul id="search-results" role="listbox"></ul><div class="search-foot">' +
        '<p class="search-status" role="status" aria-live="polite"></p><span class="search-keys" aria-hidden="true"></span></div>';
      panel.firstChild.setAttribute("aria-label", input.getAttribute("aria-label"));
      input.parentNode.insertBefore(panel, input.nextSibling);
    }
    list = document.getElementById("search-results");
    statusEl = panel && panel.querySelector(".search-status");
    if (!input || !panel || !list || !statusEl) return;
    root = input.getAttribute("data-root") || "";
    var timer = null;
    input.addEventListener("focus", function () {
      withManifest(function () {});
      if (input.value.trim() && (current.length || statusEl.textContent)) open(true);
    });
    function later() {
      clearTimeout(timer);
      timer = setTimeout(run, manifest ? 0 : 30);
    }
    // While an input method composes (pinyin letters before 微调), wait for the text.
    input.addEventListener("input", function (e) { if (!e.isComposing) later(); });
    input.addEventListener("compositionend", later);
    input.addEventListener("keydown", onKey);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.altKey || e.ctrlKey || e.metaKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
    // Focus leaving the box closes the panel; a press inside the panel keeps the focus in
    // the box (the click still opens a hit).
    panel.addEventListener("mousedown", function (e) { e.preventDefault(); });
    input.addEventListener("blur", function () { open(false); });
    document.addEventListener("mousedown", function (e) {
      if (!panel.hidden && !input.parentNode.contains(e.target)) open(false);
    });
    highlightPage();
  }

  /* `?hl=query` on a note: mark the query in the note and scroll to the first match. */
  function highlightPage() {
    var q = null;
    try { q = new URLSearchParams(location.search).get("hl"); } catch (e) { return; }
    var pl = q && plan(q);
    if (!pl) return;
    var scopes = document.querySelectorAll(".note-header h1, .note-header .lead, .note-header .aliases, .note-body");
    var first = null;
    for (var s = 0; s < scopes.length; s++) {
      var walker = document.createTreeWalker(scopes[s], NodeFilter.SHOW_TEXT, {
        acceptNode: function (n) {
          var p = n.parentNode;
          return p.closest("script, style, math, .anchor, mark") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        }
      });
      var nodes = [];
      while (walker.nextNode()) nodes.push(walker.currentNode);
      nodes.forEach(function (node) {
        var text = node.nodeValue, rs = ranges(pl, text);
        if (!rs.length) return;
        var frag = document.createDocumentFragment(), pos = 0;
        rs.forEach(function (r) {
          if (r[0] > pos) frag.appendChild(document.createTextNode(text.slice(pos, r[0])));
          var m = el("mark", "search-hit");
          m.textContent = text.slice(r[0], r[1]);
          frag.appendChild(m);
          if (!first && scopes[s].classList.contains("note-body")) first = m;
          pos = r[1];
        });
        if (pos < text.length) frag.appendChild(document.createTextNode(text.slice(pos)));
        node.parentNode.replaceChild(frag, node);
      });
    }
    if (first && first.scrollIntoView) {
      var r = first.getBoundingClientRect(), top = input ? input.getBoundingClientRect().bottom : 0;
      if (r.top < top || r.bottom > innerHeight) first.scrollIntoView({ block: "center" });
    }
  }

  // ------------------------------------------------------------------ the global
  window.conceptbookSearch = {
    manifest: function (m) {
      manifest = m; labels = m.labels; R = m.rank;
      starts = [];
      numbers(m.chunks).reduce(function (at, n) { starts.push(at); return at + n; }, 0);
      var keys = panel && panel.querySelector(".search-keys");
      if (keys) keys.textContent = labels.keys || "";
    },
    terms: function (k, packed) {
      pending["terms-" + k + ".js"] = inflate(packed).then(function (text) {
        var t = JSON.parse(text);
        shards[k] = { terms: t[0], lists: t[1] };
      });
    },
    docs: function (k, packed) {
      pending["docs-" + k + ".js"] = inflate(packed).then(function (text) {
        chunks[k] = JSON.parse(text).map(function (r) {
          return { slug: r[0], title: r[1], crumbs: r[2], summary: r[3], tags: r[4], aliases: r[5], body: r[6], cut: r[7] === 1 };
        });
      });
    },
    fuzzy: function (key, k, packed) {
      pending["fuzzy-" + key + "-" + k + ".js"] = inflate(packed).then(function (text) {
        var t = JSON.parse(text);
        (fuzzy[key] = fuzzy[key] || [])[k] = { words: t[0], weights: numbers(t[1]) };
      });
    },
    pinyin: function (k, table) { pinyin[k] = table.split("|"); },
    /* For tests and measurements. */
    tokenize: function (text, mode) {
      return tokens(text, mode === "query").map(function (t) { return [t.t, t.p, t.s, t.a, t.b, t.sp]; });
    },
    query: function (q, cb) {
      var t0 = performance.now();
      search(q, function (err, res) {
        cb(err ? { error: String(err) } : {
          slugs: res.hits.map(function (h) { return h.slug; }), partial: res.partial, suggest: res.suggest,
          fuzzy: res.hits.map(function (h) { return h.fuzzy; }),
          computeMs: res.ms, totalMs: performance.now() - t0, loaded: loaded.slice()
        });
      });
    },
    loaded: function () { return loaded.slice(); }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
