/* The region map: reads the page's JSON data block, draws each district in the colour of
 * its goal attainment with a popup of its figures and a link to its own map, and a panel
 * with the legend and the list of districts. User strings reach the page only as text
 * nodes. API for tests and scripts: window.planner.districts(), .links(),
 * .openPopup(name), .ready. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('planner-data').textContent);
  var api = (window.planner = { ready: false });
  var colour = {}, layers = {};
  D.classes.forEach(function (c) { colour[c[0]] = c[2]; });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function link(d, text) {
    var a = el('a', text, 'pl-district');
    a.setAttribute('href', d.href);
    return a;
  }
  function popup(d) {
    var box = el('div', null, 'pl-popup');
    box.appendChild(el('b', d.name));
    box.appendChild(el('div', d.status, 'pl-muted'));
    if (d.error) box.appendChild(el('div', D.lab.error + ': ' + d.error, 'pl-error'));
    var t = el('table');
    d.figures.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', r[0]));
      tr.appendChild(el('td', r[1]));
      t.appendChild(tr);
    });
    box.appendChild(t);
    if (d.href) box.appendChild(link(d, D.lab.open_map));
    return box;
  }

  var map = L.map('planner-map', { preferCanvas: false });
  L.control.scale({ imperial: false }).addTo(map);
  var group = L.featureGroup().addTo(map);
  D.districts.forEach(function (d) {
    if (!d.rings.length) return;
    var c = colour[d.cls];
    var layer = L.polygon(d.rings, {
      color: d.cls === 'failed' ? '#000' : '#333', weight: 1, fillColor: c, fillOpacity: 0.6,
      dashArray: d.cls === 'failed' ? '4 3' : null
    });
    layer.bindTooltip(el('span', d.name), { sticky: true });
    layer.bindPopup(popup(d));
    layer.addTo(group);
    layers[d.name] = layer;
  });
  if (group.getLayers().length) map.fitBounds(group.getBounds(), { padding: [10, 10] });
  else map.setView([0, 0], 2);

  var panel = L.control({ position: 'topright' });
  panel.onAdd = function () {
    var box = el('div', null, 'planner-panel');
    box.appendChild(el('h3', D.lab.legend));
    D.classes.forEach(function (c) {
      var row = el('div'), sq = el('i', null, 'pl-sq');
      sq.style.background = c[2];
      row.appendChild(sq);
      row.appendChild(document.createTextNode(c[1]));
      box.appendChild(row);
    });
    box.appendChild(el('h3', D.lab.districts));
    var ul = el('ul');
    D.districts.forEach(function (d) {
      var li = el('li'), sq = el('i', null, 'pl-sq');
      sq.style.background = colour[d.cls];
      li.appendChild(sq);
      li.appendChild(d.href ? link(d, d.name) : el('span', d.name));
      if (d.error) { li.title = d.error; li.appendChild(el('div', d.error, 'pl-error')); }
      ul.appendChild(li);
    });
    box.appendChild(ul);
    box.appendChild(el('div', D.lab.credit, 'pl-muted'));
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  panel.addTo(map);

  api.districts = function () {
    return D.districts.map(function (d) {
      return { name: d.name, cls: d.cls, href: d.href, drawn: !!layers[d.name],
               fill: layers[d.name] ? layers[d.name].options.fillColor : null };
    });
  };
  api.links = function () {
    return Array.prototype.map.call(document.querySelectorAll('a.pl-district'), function (a) {
      return [a.textContent, a.getAttribute('href')];
    });
  };
  api.openPopup = function (name) {
    var layer = layers[name];
    if (!layer) throw new Error('no district named ' + name);
    layer.openPopup();
    var box = layer.getPopup().getElement();
    var a = box && box.querySelector('a.pl-district');
    return { text: box ? box.textContent : null, href: a ? a.getAttribute('href') : null };
  };
  api.ready = true;
  document.documentElement.setAttribute('data-planner-ready', '1');
})();
