/* The service-circle map: reads the page's JSON data block and its packed blob (see
 * planner/outputs/map_data.py), draws every layer with Leaflet and keeps the what-if
 * figures. User strings only ever reach the page as text nodes. API for tests and scripts:
 * window.planner.toggleSite(id), .activeSites(), .coverage(), .figures(), .setState(name),
 * .sites(), .ready. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('planner-data').textContent);
  var api = (window.planner = { ready: false });
  var clock = { start: performance.now() };
  var lab = D.lab, LB = D.labels, K = LB.length, COL = D.colours.thresholds;
  var S = D.sites.id.length, KIND = D.sites.kind, N_ST = KIND.lastIndexOf('e') + 1;
  var MOVED = new Uint8Array(S);  // stations the suggested moves close: off "with" them
  (D.sites.moved || []).forEach(function (s) { MOVED[s] = 1; });

  function fmt(text, m) { return String(text).replace('{m}', m); }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function pct(x) { return (100 * x).toFixed(1) + '%'; }
  function levelColour(k) { return k < K ? COL[k] : D.colours.blind; }

  // ------------------------------------------------------------------ the packed data
  function Reader(buf, part) { this.b = buf; this.p = part[0]; this.end = part[0] + part[1]; }
  Reader.prototype.u = function () {
    var b = this.b, r = 0, m = 1, x;
    do { x = b[this.p++]; r += (x & 127) * m; m *= 128; } while (x & 128);
    return r;
  };
  Reader.prototype.z = function () { var v = this.u(); return v % 2 ? -(v + 1) / 2 : v / 2; };
  Reader.prototype.more = function () { return this.p < this.end; };

  function inflate(b64) {
    var s = atob(b64), u = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
    var stream = new Blob([u]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  function readShapes(buf, name) {  // shapes → parts → rings → [lat, lng]
    var P = D.parts, sp = new Reader(buf, P[name + '.sp']), pr = new Reader(buf, P[name + '.pr']);
    var rp = new Reader(buf, P[name + '.rp']), xy = new Reader(buf, P[name + '.xy']);
    var out = [], x = 0, y = 0;
    while (sp.more()) {
      var parts = [], np = sp.u();
      for (var p = 0; p < np; p++) {
        var rings = [], nr = pr.u();
        for (var q = 0; q < nr; q++) {
          var ring = [], n = rp.u();
          for (var i = 0; i < n; i++) {
            x += xy.z(); y += xy.z();
            ring.push([y * 1e-5, x * 1e-5]);
          }
          rings.push(ring);
        }
        parts.push(rings);
      }
      out.push(parts);
    }
    return out;
  }

  function decode(buf) {
    var P = D.parts, N = D.hotspots.n, h = {};
    var r = new Reader(buf, P.hxy), x = 0, y = 0;
    h.lon = new Float64Array(N); h.lat = new Float64Array(N);
    h.mx = new Float64Array(N); h.my = new Float64Array(N);
    for (var i = 0; i < N; i++) {
      x += r.z(); y += r.z();
      h.lon[i] = x * 1e-5; h.lat[i] = y * 1e-5;
      var lat = Math.max(Math.min(h.lat[i], 85.0511287798), -85.0511287798) * Math.PI / 180;
      h.mx[i] = (h.lon[i] + 180) / 360;
      h.my[i] = 0.5 - Math.log(Math.tan(Math.PI / 4 + lat / 2)) / (2 * Math.PI);
    }
    if (D.hotspots.weights === 'int') {
      h.w = new Float64Array(N); r = new Reader(buf, P.hw);
      for (i = 0; i < N; i++) h.w[i] = r.u();
    } else {
      h.w = new Float64Array(buf.buffer.slice(buf.byteOffset + P.hw[0],
        buf.byteOffset + P.hw[0] + P.hw[1]));
    }
    var cn = new Reader(buf, P.covn), cb = new Reader(buf, P.covb);
    var count = new Int32Array(S), at = new Float64Array(S + 1);
    at[0] = P.cov[0];
    for (var s = 0; s < S; s++) { count[s] = cn.u(); at[s + 1] = at[s] + cb.u(); }
    return {
      hot: h, buf: buf, count: count, at: at, lists: {},
      circles: readShapes(buf, 'circles'),
      areas: readShapes(buf, 'areas'),
      roads: null  // decoded when first shown (tiles fail, or no basemap)
    };
  }

  // ------------------------------------------------------------------ what-if state
  function Model(data) {
    this.d = data; this.N = D.hotspots.n;
    this.cnt = new Int32Array(K * this.N); this.active = new Uint8Array(S);
    this.total = 0;
    for (var i = 0; i < this.N; i++) this.total += data.hot.w[i];
  }
  Model.prototype.list = function (s) {  // site s's hotspots and levels, decoded once
    var d = this.d, got = d.lists[s];
    if (got) return got;
    var n = d.count[s], H = new Int32Array(n), L8 = new Uint8Array(n), b = d.buf;
    var pos = d.at[s], prev = -1;
    for (var j = 0; j < n; j++) {
      var c = 0, m = 1, x8;
      do { x8 = b[pos++]; c += (x8 & 127) * m; m *= 128; } while (x8 & 128);
      var l = c % K;
      prev += (c - l) / K + 1; H[j] = prev; L8[j] = l;
    }
    return (d.lists[s] = { H: H, L: L8 });
  };
  Model.prototype.apply = function (s, sign) {
    var li = this.list(s), H = li.H, L8 = li.L, cnt = this.cnt, N = this.N;
    for (var j = 0; j < H.length; j++) {
      for (var k = L8[j]; k < K; k++) cnt[k * N + H[j]] += sign;
    }
    this.active[s] = sign > 0 ? 1 : 0;
  };
  Model.prototype.preset = function (name) {
    this.cnt.fill(0); this.active.fill(0);
    for (var s = 0; s < S; s++) {
      var k = KIND.charAt(s);
      if (name === 'with' ? (k === 'e' && !MOVED[s]) || k === 's' : k === 'e') this.apply(s, 1);
    }
  };
  Model.prototype.state = function () {
    var today = true, withNew = true;
    for (var s = 0; s < S; s++) {
      var k = KIND.charAt(s), a = this.active[s] === 1;
      if (a !== (k === 'e')) today = false;
      if (a !== ((k === 'e' && !MOVED[s]) || k === 's')) withNew = false;
    }
    return today ? 'today' : withNew ? 'with' : 'custom';
  };
  Model.prototype.level = function (i) {
    for (var k = 0; k < K; k++) if (this.cnt[k * this.N + i] > 0) return k;
    return K;
  };
  Model.prototype.figures = function () {
    var w = this.d.hot.w, N = this.N, out = { shares: {}, demand: {}, blind_demand: {},
      goals: [], all_goals_attained: true, total_demand: this.total, active: 0 };
    for (var k = 0; k < K; k++) {
      var c = 0, base = k * N;
      for (var i = 0; i < N; i++) if (this.cnt[base + i] > 0) c += w[i];
      var share = this.total > 0 ? c / this.total : 0;
      out.shares[LB[k]] = share; out.demand[LB[k]] = c; out.blind_demand[LB[k]] = this.total - c;
      if (k < D.targets.length) {
        var t = D.targets[k], met = share >= t - 1e-9 * Math.max(1, Math.abs(t));
        out.goals.push({ minutes: Number(LB[k]), target: t, share: share, attained: met });
        if (!met) out.all_goals_attained = false;
      }
    }
    for (var s = 0; s < S; s++) out.active += this.active[s];
    return out;
  };

  // ------------------------------------------------------------------ hotspot canvas
  var Dots = L.Layer.extend({
    initialize: function (model) { this.m = model; this.vis = null; },
    onAdd: function (map) {
      this.c = L.DomUtil.create('canvas', 'planner-dots', map.getPane('pl-hot'));
      map.on('moveend zoomend resize', this.redraw, this);
      map.on('zoomstart', this.hide, this);
      this.draw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this.c);
      map.off('moveend zoomend resize', this.redraw, this);
      map.off('zoomstart', this.hide, this);
    },
    hide: function () { this.c.style.display = 'none'; },
    redraw: function () {
      var self = this;
      if (!this._map || this.raf) return;
      this.raf = L.Util.requestAnimFrame(function () { self.raf = null; self.draw(); });
    },
    draw: function () {
      var map = this._map; if (!map) return;
      var size = map.getSize(), c = this.c, dpr = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
      c.width = size.x * dpr; c.height = size.y * dpr;
      c.style.width = size.x + 'px'; c.style.height = size.y + 'px'; c.style.display = '';
      var g = c.getContext('2d'); g.setTransform(dpr, 0, 0, dpr, 0, 0);
      var h = this.m.d.hot, N = this.m.N, scale = 256 * Math.pow(2, map.getZoom());
      var o = map.getPixelBounds().min, vis = [], xs = [], ys = [];
      for (var i = 0; i < N; i++) {
        var x = h.mx[i] * scale - o.x, y = h.my[i] * scale - o.y;
        if (x > -12 && y > -12 && x < size.x + 12 && y < size.y + 12) {
          vis.push(i); xs.push(x); ys.push(y);
        }
      }
      this.grid = vis.length > D.grid_above;
      this.vis = { i: vis, x: xs, y: ys };
      if (this.grid) this.cells(g, size); else this.points(g);
    },
    points: function (g) {
      var v = this.vis, w = this.m.d.hot.w, wmax = 0, lv = [], pass, n;
      for (n = 0; n < v.i.length; n++) {
        wmax = Math.max(wmax, w[v.i[n]]); lv.push(this.m.level(v.i[n]));
      }
      g.lineWidth = 0.7; g.strokeStyle = '#fff'; g.globalAlpha = 0.85;
      for (pass = 0; pass < 2; pass++) {  // beyond every circle last, on top
        for (n = 0; n < v.i.length; n++) {
          if ((lv[n] === K) !== (pass === 1)) continue;
          var r = wmax > 0 ? 2.5 + 5 * Math.sqrt(w[v.i[n]] / wmax) : 3;
          g.beginPath(); g.arc(v.x[n], v.y[n], r, 0, 2 * Math.PI);
          g.fillStyle = levelColour(lv[n]); g.fill(); g.stroke();
        }
      }
    },
    cells: function (g, size) {  // the level most of a cell's demand has; outlined if blind
      var v = this.vis, w = this.m.d.hot.w, px = 12, cols = Math.ceil(size.x / px) + 2;
      var acc = {}, keys = [], n, k, best, tot, tmax = 0;
      for (n = 0; n < v.i.length; n++) {
        var key = (Math.floor(v.y[n] / px) + 1) * cols + Math.floor(v.x[n] / px) + 1;
        var a = acc[key];
        if (!a) { a = acc[key] = new Float64Array(K + 1); keys.push(key); }
        a[this.m.level(v.i[n])] += w[v.i[n]];
      }
      for (n = 0; n < keys.length; n++) {
        tot = 0; for (k = 0; k <= K; k++) tot += acc[keys[n]][k];
        tmax = Math.max(tmax, tot);
      }
      for (n = 0; n < keys.length; n++) {
        var c = acc[keys[n]]; tot = 0; best = 0;
        for (k = 0; k <= K; k++) { tot += c[k]; if (c[k] > c[best]) best = k; }
        var cx = (keys[n] % cols - 1) * px, cy = (Math.floor(keys[n] / cols) - 1) * px;
        g.globalAlpha = 0.35 + 0.6 * Math.sqrt(tmax > 0 ? tot / tmax : 1);
        g.fillStyle = levelColour(best); g.fillRect(cx + 1, cy + 1, px - 2, px - 2);
        if (c[K] > 0 && best !== K) {
          g.globalAlpha = 1; g.strokeStyle = D.colours.blind; g.lineWidth = 1.5;
          g.strokeRect(cx + 1.5, cy + 1.5, px - 3, px - 3);
        }
      }
    },
    nearest: function (pt) {
      var v = this.vis, best = -1, bd = 64;
      if (!v || this.grid) return -1;
      for (var n = 0; n < v.i.length; n++) {
        var dx = v.x[n] - pt.x, dy = v.y[n] - pt.y, d = dx * dx + dy * dy;
        if (d < bd) { bd = d; best = v.i[n]; }
      }
      return best;
    }
  });

  // ------------------------------------------------------------------ the page
  function table(rows) {
    var t = el('table');
    rows.forEach(function (r) {
      var tr = el('tr'); tr.appendChild(el('th', r[0])); tr.appendChild(el('td', r[1]));
      t.appendChild(tr);
    });
    return t;
  }
  function rowLabel(key) {
    var i = key.indexOf(':');
    if (i < 0) return lab[key] || key;
    return fmt(lab[key.slice(0, i)] || key, key.slice(i + 1));
  }
  function siteCard(s) {
    var box = el('div'), info = D.sites.info[String(s)];
    box.appendChild(el('b', (D.sites.name[s] || D.sites.id[s])));
    if (info) box.appendChild(table(info.map(function (r) { return [rowLabel(r[0]), r[1]]; })));
    else box.appendChild(table([[lab.id, D.sites.id[s]],
      [lab.category, D.sites.category[s - N_ST] || '']]));
    return box;
  }

  function build(data) {
    var model = new Model(data), map = L.map('planner-map', { zoomControl: true });
    fitBounds(map, data);  // the view first: layers are projected once
    api.model = model;
    L.control.scale().addTo(map);
    [['pl-roads', 250], ['pl-areas', 350], ['pl-circles', 380], ['pl-hot', 450]].forEach(
      function (p) { map.createPane(p[0]).style.zIndex = p[1]; });
    var R = function (pane) { return L.canvas({ pane: pane, padding: 0.3 }); };
    var overlays = {}, note = el('div', lab.roads_fallback, 'pl-note');
    // the roads are decoded and projected only when first shown
    var roads = L.polyline([], { renderer: R('pl-roads'), color: '#8a8a8a', weight: 1,
      interactive: false });
    roads.on('add', function () {
      if (data.roads) return;
      data.roads = readShapes(data.buf, 'roads');
      roads.setLatLngs(data.roads.map(function (shape) {
        return shape.map(function (part) { return part[0]; });
      }).flat());
      document.documentElement.setAttribute('data-planner-roads', String(data.roads.length));
    });
    map.attributionControl.addAttribution(D.credit);
    if (D.tiles) {
      var tiles = L.tileLayer(D.tiles, { subdomains: '1234', maxZoom: 19 }).addTo(map);
      tiles.once('tileerror', function () { showRoads(); note.style.display = 'block'; });
    } else {
      showRoads();
    }
    function showRoads() { roads.addTo(map); }
    overlays[esc(lab.roads)] = roads;
    var dots = new Dots(model).addTo(map);
    overlays[esc(lab.hotspots)] = dots;
    // circles per threshold (dashed: suggested sites), areas per state
    var circleGroups = [], areaGroups = [], circleOf = {}, areaR = R('pl-areas');
    var circR = R('pl-circles');
    for (var k = 0; k < K; k++) {
      circleGroups.push(L.layerGroup()); areaGroups.push(L.layerGroup().addTo(map));
    }
    D.circles.forEach(function (s, i) { circleOf[s] = i; });
    var circlePolys = {};
    function circle(s, k) {  // the polygon of site s's circle k, made when first drawn
      var key = s * K + k, shape = data.circles[circleOf[s] * K + k];
      if (!(key in circlePolys)) {
        circlePolys[key] = shape.length ? L.polygon(shape, { renderer: circR, color: COL[k],
          weight: 1.5, fill: false, interactive: false,
          dashArray: KIND.charAt(s) === 's' ? '6 4' : null }) : null;
      }
      return circlePolys[key];
    }
    function syncCircles(k) {  // group k (when shown) holds the circles of the active sites
      if (!map.hasLayer(circleGroups[k])) return;
      D.circles.forEach(function (s) { showCircle(s, k); });
    }
    circleGroups.forEach(function (g, k) { g.on('add', function () { syncCircles(k); }); });
    var areaShapes = { today: data.areas.slice(0, K), with: data.areas.slice(K, 2 * K) };
    for (k = K - 1; k >= 0; k--) {
      overlays[esc(fmt(lab.circle, LB[k]))] = circleGroups[k];
    }
    // the nearest circles start shown for a few sites; with many, the service areas say it
    if (circleGroups.length && D.circles.length <= 20) circleGroups[0].addTo(map);
    for (k = K - 1; k >= 0; k--) overlays[esc(fmt(lab.area, LB[k]))] = areaGroups[k];
    function showAreas(state) {
      for (var k = 0; k < K; k++) {
        areaGroups[k].clearLayers();
        var shape = state === 'custom' ? [] : areaShapes[state][k];
        if (shape.length) {
          areaGroups[k].addLayer(L.polygon(shape, { renderer: areaR, color: COL[k], weight: 1,
            fillColor: COL[k], fillOpacity: 0.1, interactive: false }));
        }
      }
    }
    function showCircle(s, k) {
      var on = model.active[s] === 1, g = circleGroups[k], poly;
      if (on) { poly = circle(s, k); if (poly) g.addLayer(poly); return; }
      poly = circlePolys[s * K + k];
      if (poly) g.removeLayer(poly);
    }
    function showCircles(s) {  // only the groups shown now; the others catch up when added
      if (!(s in circleOf)) return;
      for (var k = 0; k < K; k++) if (map.hasLayer(circleGroups[k])) showCircle(s, k);
    }
    // sites
    var stations = L.layerGroup().addTo(map), suggested = L.layerGroup().addTo(map);
    var candidates = L.layerGroup(), marks = [], candR = R('pl-hot');
    for (var s = 0; s < S; s++) marks.push(KIND.charAt(s) === 'c' ? null : siteMarker(s));
    candidates.once('add', function () {  // the candidates' markers, made when first shown
      for (var s = 0; s < S; s++) {
        if (!marks[s]) { marks[s] = siteMarker(s); styleSite(s); }
      }
    });
    overlays[esc(lab.stations)] = stations; overlays[esc(lab.suggested)] = suggested;
    overlays[esc(lab.candidates)] = candidates;
    if (D.others) {  // other operators' stations: a ring of their own, around a counted one
      var others = L.layerGroup().addTo(map);
      D.others.id.forEach(function (id, o) {
        var ring = el('div', null, 'planner-other' + (D.others.counted ? ' planner-counted' : ''));
        var om = L.marker([D.others.lat[o], D.others.lon[o]], { icon: L.divIcon({ html: ring,
          className: '', iconSize: [32, 32], iconAnchor: [16, 16] }), zIndexOffset: -500 });
        om.bindTooltip(esc(D.others.name[o] || id) + ' (' + esc(lab.operator) + ': '
          + esc(D.others.operator[o]) + ')');
        others.addLayer(om);
      });
      overlays[esc(lab.others)] = others;
    }
    if (D.closed) {  // the stations that close: a grey crossed square where each stood
      var shut = L.layerGroup().addTo(map);
      D.closed.id.forEach(function (id, c) {
        var box = el('div', '\u00d7', 'planner-closed');
        var cm = L.marker([D.closed.lat[c], D.closed.lon[c]], { icon: L.divIcon({ html: box,
          className: '', iconSize: [22, 22], iconAnchor: [11, 11] }), zIndexOffset: -400 });
        cm.bindTooltip(esc(D.closed.name[c] || id) + ' (' + esc(id) + '): '
          + esc(lab['closed_' + D.closed.by[c]] || D.closed.by[c]));
        shut.addLayer(cm);
      });
      overlays[esc(lab.closed)] = shut;
    }
    function siteMarker(s) {
      var kind = KIND.charAt(s), ll = [D.sites.lat[s], D.sites.lon[s]], m;
      if (kind === 'c') {
        m = L.circleMarker(ll, { renderer: candR, radius: 5, color: '#000', weight: 2,
          fillColor: '#fff', fillOpacity: 1, bubblingMouseEvents: false });
        candidates.addLayer(m);
      } else {
        var div = el('div', D.sites.mark[s], kind === 'e' ? 'planner-station' : 'planner-site');
        div.style.background = kind === 'e' ? (D.colours.grades[D.sites.mark[s]] || '#555')
          : D.colours.suggested;
        m = L.marker(ll, { icon: L.divIcon({ html: div, className: '', iconSize: [24, 24],
          iconAnchor: [12, 12] }) });
        m.div = div;
        (kind === 'e' ? stations : suggested).addLayer(m);
      }
      m.bindTooltip(function () { return siteCard(s); });
      m.on('click', function () { toggle(s); });
      return m;
    }
    function styleSite(s) {
      var m = marks[s], on = model.active[s] === 1;
      if (!m) return;
      if (m.div) m.div.classList.toggle('planner-off', !on);
      else m.setStyle({ fillColor: on ? D.colours.suggested : '#fff' });
    }
    // panel
    var panel = buildPanel(note);
    var ctl = L.control.layers(null, overlays, { collapsed: map.getSize().y < 640 });
    ctl.addTo(map);
    var Panel = L.Control.extend({ options: { position: 'topright' },
      onAdd: function () { return panel.root; } });
    new Panel().addTo(map);
    L.DomEvent.disableClickPropagation(panel.root);
    L.DomEvent.disableScrollPropagation(panel.root);
    function fitPanel() {
      var top = panel.root.getBoundingClientRect().top;
      var mapRect = map.getContainer().getBoundingClientRect();
      panel.root.style.maxHeight = Math.max(120, mapRect.bottom - top - 40) + 'px';
    }
    map.on('resize', fitPanel);
    map.on('click', function (e) {
      if (!map.hasLayer(dots)) return;
      var i = dots.nearest(e.containerPoint);
      if (i < 0) return;
      var lv = model.level(i), box = el('div');
      box.appendChild(el('b', D.hotspots.names ? D.hotspots.names[i] : '#' + (i + 1)));
      box.appendChild(table([[lab.weight, String(data.hot.w[i])],
        ['', lv < K ? fmt(lab.within, LB[lv]) : fmt(lab.blind, LB[K - 1])]]));
      L.popup().setLatLng([data.hot.lat[i], data.hot.lon[i]]).setContent(box).openOn(map);
    });

    function refresh() {
      var state = model.state();
      panel.show(model.figures(), state);
      dots.redraw();
      return state;
    }
    function toggle(s) {
      model.apply(s, model.active[s] ? -1 : 1);
      styleSite(s); showCircles(s);
      var state = refresh();
      if (state === 'custom') showAreas('custom'); else showAreas(state);
      return model.active[s] === 1;
    }
    function setState(name) {
      model.preset(name);
      for (var s = 0; s < S; s++) { styleSite(s); showCircles(s); }
      showAreas(name); refresh();
    }
    panel.onState = setState; panel.onToggle = toggle; panel.model = model;
    setState('with');
    if (D.candidates_shown) candidates.addTo(map);
    fitPanel();

    var index = {};
    for (s = S - 1; s >= 0; s--) index[D.sites.id[s]] = s;
    api.toggleSite = function (id) {
      var s = index[String(id)];
      if (s === undefined) throw new Error('no site with id ' + id);
      return toggle(s);
    };
    api.activeSites = function () {
      var out = [];
      for (var s = 0; s < S; s++) if (model.active[s]) out.push(D.sites.id[s]);
      return out;
    };
    api.coverage = function () { return model.figures().shares; };
    api.figures = function () { return model.figures(); };
    api.setState = function (name) {
      if (name !== 'today' && name !== 'with') throw new Error('state is today or with');
      setState(name);
    };
    api.state = function () { return model.state(); };
    api.sites = function () { return D.sites.id.slice(); };
    api.hotspotLevels = function () {  // per hotspot in page order: nearest threshold, K beyond
      var out = [];
      for (var i = 0; i < model.N; i++) out.push(model.level(i));
      return out;
    };
    api.areaShapes = function () {  // shapes drawn per threshold in the service-area layers
      return areaGroups.map(function (g) { return g.getLayers().length; });
    };
    api.map = map;
    api.redraw = function () { dots.draw(); };  // the hotspots now, not at the next frame
    api.readyMs = performance.now();
    api.ready = true;
    document.documentElement.setAttribute('data-planner-ready', '1');
  }

  function fitBounds(map, data) {
    var h = data.hot, lats = Array.from(h.lat), lons = Array.from(h.lon);
    if (!lats.length) { lats = D.sites.lat; lons = D.sites.lon; }
    if (!lats.length) { map.setView([0, 0], 2); return; }
    var s = Infinity, w = Infinity, n = -Infinity, e = -Infinity;
    for (var i = 0; i < lats.length; i++) {
      s = Math.min(s, lats[i]); n = Math.max(n, lats[i]);
      w = Math.min(w, lons[i]); e = Math.max(e, lons[i]);
    }
    map.fitBounds([[s, w], [n, e]], { padding: [10, 10] });
  }

  function buildPanel(note) {
    var root = el('div', null, 'planner-panel leaflet-bar'), p = { root: root };
    var what = el('details'); what.open = true; what.appendChild(el('summary', lab.whatif));
    root.appendChild(what); what.appendChild(note);
    ['today', 'with'].forEach(function (name) {
      var l = el('label'), r = el('input');
      r.type = 'radio'; r.name = 'planner-state'; r.value = name;
      r.addEventListener('change', function () { if (r.checked) p.onState(name); });
      l.appendChild(r); l.appendChild(document.createTextNode(' ' + lab[name]));
      what.appendChild(l); p[name] = r;
    });
    var custom = el('div', lab.custom, 'pl-muted'); what.appendChild(custom);
    var figs = el('table'); what.appendChild(figs);
    var count = el('div', '', 'pl-muted'); what.appendChild(count);
    var sites = el('details'); sites.appendChild(el('summary', lab.sites)); root.appendChild(sites);
    var find = el('input'); find.type = 'search'; find.placeholder = lab.filter;
    var list = el('div', null, 'pl-list'); sites.appendChild(find); sites.appendChild(list);
    find.addEventListener('input', function () { p.list(); });
    var legend = el('details'); legend.open = true; legend.appendChild(el('summary', lab.legend));
    legend.appendChild(document.getElementById('planner-legend-src').content.cloneNode(true));
    root.appendChild(legend);
    p.list = function () {
      var q = find.value.trim().toLowerCase(), shown = 0, rest = 0;
      list.textContent = '';
      for (var s = 0; s < S; s++) {
        var kind = KIND.charAt(s), text = (D.sites.name[s] || '') + ' (' + D.sites.id[s] + ')';
        var hit = q ? text.toLowerCase().indexOf(q) >= 0 : kind !== 'c' || S <= 60;
        if (!hit) { if (!q && kind === 'c') rest++; continue; }
        if (shown++ >= 60) { rest++; continue; }
        list.appendChild(siteRow(s, text));
      }
      if (rest) list.appendChild(el('div', '+' + rest + ' ' + lab.more, 'pl-muted'));
    };
    function siteRow(s, text) {
      var l = el('label'), c = el('input'), kind = KIND.charAt(s);
      c.type = 'checkbox'; c.checked = p.model.active[s] === 1;
      c.addEventListener('change', function () { p.onToggle(s); });
      l.appendChild(c);
      l.appendChild(document.createTextNode(' ' + (kind === 'e' ? '■ ' : kind === 's' ? '● '
        : '○ ') + text));
      return l;
    }
    p.show = function (f, state) {
      p.today.checked = state === 'today'; p.with.checked = state === 'with';
      custom.style.display = state === 'custom' ? 'block' : 'none';
      figs.textContent = '';
      var head = el('tr');
      ['', lab.share_of_demand, lab.goal, lab.blind_demand].forEach(function (t) {
        head.appendChild(el('th', t));
      });
      figs.appendChild(head);
      LB.forEach(function (lb, k) {
        var tr = el('tr'), g = f.goals[k];
        tr.appendChild(el('td', fmt(lab.within, lb)));
        tr.appendChild(el('td', pct(f.shares[lb])));
        tr.appendChild(g ? el('td', pct(g.target) + ' ' + (g.attained ? '✓' : '✗'),
          g.attained ? 'pl-yes' : 'pl-no') : el('td', ''));
        tr.appendChild(el('td', Math.round(f.blind_demand[lb]).toLocaleString('en')));
        figs.appendChild(tr);
      });
      count.textContent = lab.active + ': ' + f.active;
      p.list();
    };
    return p;
  }

  inflate(D.blob).then(function (buf) {
    clock.inflated = performance.now();
    var data = decode(buf);
    clock.decoded = performance.now();
    build(data);
    clock.built = performance.now();
    api.timings = clock;
  });
})();
