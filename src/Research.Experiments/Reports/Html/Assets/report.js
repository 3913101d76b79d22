// Draws a report model (sections of blocks: HTML fragments and plotly.js figures), makes its tables
// sortable, and, in the live view, fetches the model again while the run changes and redraws only
// the blocks whose key changed. The same file runs inside report.html (model embedded, no server)
// and in `research serve`'s pages.
(function () {
  'use strict';
  var sorts = {};      // table id -> {col, dir}: kept across redraws
  var keys = {};       // block id -> key last drawn
  var plotConfig = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['sendDataToCloud', 'select2d', 'lasso2d'] };

  function byId(id) { return document.getElementById(id); }

  function make(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in (attrs || {})) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function cellValue(td, numeric) {
    if (!numeric) return td.textContent;
    var s = td.getAttribute('data-sort');
    var v = s === null || s === '' ? NaN : parseFloat(s);
    return isNaN(v) ? null : v;
  }

  function sortTable(table, col, dir) {
    var th = table.tHead.rows[0].cells[col];
    var numeric = th.getAttribute('data-type') === 'number';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a.cells[col], numeric), y = cellValue(b.cells[col], numeric);
      if (x === null && y === null) return 0;
      if (x === null) return 1;          // empty cells last, either way
      if (y === null) return -1;
      var c = numeric ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
      return dir * c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
    sorts[table.id] = { col: col, dir: dir };
  }

  function wireTables(root) {
    root.querySelectorAll('table.sortable').forEach(function (table) {
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
        var go = function () {
          var s = sorts[table.id];
          sortTable(table, col, s && s.col === col ? -s.dir : (th.getAttribute('data-type') === 'number' ? -1 : 1));
        };
        th.addEventListener('click', go);
        th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
      });
      var s = sorts[table.id];
      if (s && s.col < table.tHead.rows[0].cells.length) sortTable(table, s.col, s.dir);
    });
  }

  function drawBlock(div, b) {
    // Checked boxes (the run list's compare column) survive a redraw.
    var checked = {};
    div.querySelectorAll('input[type=checkbox]:checked').forEach(function (c) { checked[c.name + '\u0000' + c.value] = true; });
    var plot = div.querySelector('.plot');
    if (b.figure) {
      if (!plot || div.getAttribute('data-kind') !== 'figure') {
        div.textContent = '';
        if (b.title) div.appendChild(make('h3', {}, b.title));
        plot = make('div', { 'class': 'plot', id: 'plot-' + b.id });
        div.appendChild(plot);
        if (b.caption) div.appendChild(make('p', { 'class': 'caption' }, b.caption));
        div.setAttribute('data-kind', 'figure');
      } else {
        var cap = div.querySelector('.caption');
        if (cap) cap.textContent = b.caption || '';
      }
      if (window.Plotly) window.Plotly.react(plot, b.figure.data, b.figure.layout, plotConfig);
      else plot.textContent = 'plotly.js did not load: the chart cannot be drawn';
    } else {
      if (plot && window.Plotly) window.Plotly.purge(plot);
      div.textContent = '';
      div.setAttribute('data-kind', 'html');
      if (b.title) div.appendChild(make('h3', {}, b.title));
      var body = make('div', { 'class': 'fragment' });
      body.innerHTML = b.html || '';      // built and HTML-encoded by the server or report writer
      div.appendChild(body);
      if (b.caption) div.appendChild(make('p', { 'class': 'caption' }, b.caption));
      wireTables(div);
      div.querySelectorAll('input[type=checkbox]').forEach(function (c) { if (checked[c.name + '\u0000' + c.value]) c.checked = true; });
    }
  }

  function render(model) {
    document.title = model.title;
    byId('title').textContent = model.title;
    byId('subtitle').textContent = model.subtitle || '';
    var state = byId('state');
    state.textContent = model.state ? model.state.text : '';
    state.className = 'state ' + (model.state ? model.state.state : '');
    var notes = byId('notes');
    notes.textContent = '';
    if (model.notes.length) {
      notes.appendChild(make('h2', {}, 'Missing or unreadable'));
      var ul = make('ul');
      model.notes.forEach(function (n) { ul.appendChild(make('li', {}, n)); });
      notes.appendChild(ul);
    }
    var main = byId('sections'), toc = byId('toc');
    toc.textContent = '';
    var seenSections = {}, seenBlocks = {};
    model.sections.forEach(function (s, i) {
      seenSections['sec-' + s.id] = true;
      var a = make('a', { href: '#sec-' + s.id }, s.title);
      toc.appendChild(a);
      var sec = byId('sec-' + s.id);
      if (!sec) {
        sec = make('section', { id: 'sec-' + s.id });
        sec.appendChild(make('h2', {}, s.title));
        sec.appendChild(make('div', { 'class': 'blocks' }));
      }
      if (main.children[i] !== sec) main.insertBefore(sec, main.children[i] || null);
      var holder = sec.querySelector('.blocks');
      s.blocks.forEach(function (b, j) {
        var id = 'blk-' + b.id;
        seenBlocks[id] = true;
        var div = byId(id);
        if (!div) { div = make('div', { id: id, 'class': 'block' }); }
        if (holder.children[j] !== div) holder.insertBefore(div, holder.children[j] || null);
        if (keys[b.id] !== b.key) { drawBlock(div, b); keys[b.id] = b.key; div.setAttribute('data-key', b.key); }
      });
    });
    Array.prototype.slice.call(main.querySelectorAll('.block')).forEach(function (d) {
      if (!seenBlocks[d.id]) { var p = d.querySelector('.plot'); if (p && window.Plotly) window.Plotly.purge(p); d.remove(); delete keys[d.id.slice(4)]; }
    });
    Array.prototype.slice.call(main.children).forEach(function (s) { if (!seenSections[s.id]) s.remove(); });
    document.body.setAttribute('data-rendered', String((parseInt(document.body.getAttribute('data-rendered') || '0', 10)) + 1));
  }

  function live(url, interval) {
    var etag = null, indicator = byId('live');
    function tick() {
      var headers = etag ? { 'If-None-Match': etag } : {};
      fetch(url, { headers: headers, cache: 'no-store' }).then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error('HTTP ' + r.status);
        etag = r.headers.get('ETag');
        return r.json();
      }).then(function (model) {
        if (model) render(model);
        indicator.textContent = 'live: checked ' + new Date().toLocaleTimeString();
        indicator.className = 'live ok';
      }).catch(function (e) {
        indicator.textContent = 'live: the server did not answer (' + e.message + '); trying again';
        indicator.className = 'live error';
      }).then(function () { setTimeout(tick, interval); });
    }
    setTimeout(tick, interval);
  }

  document.addEventListener('DOMContentLoaded', function () {
    var data = byId('report-data');
    render(JSON.parse(data.textContent));
    var url = document.body.getAttribute('data-live');
    if (url) live(url, parseInt(document.body.getAttribute('data-interval') || '1000', 10));
  });
})();
