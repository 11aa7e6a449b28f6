// Northwind's page script: fetch the demo phones, show a picker, and put the chosen phone on the
// desk. The softphone connects to the SIP edge on the same host that served this page.
const params = new URLSearchParams(location.search);

function sipServer() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sip`;
}

function label(phone) {
  return `${phone.tenant.split(' ')[0]} ${phone.extension}`;
}

function renderPicker(phones, current) {
  const byTenant = groupByTenant(phones);
  const list = document.getElementById('phone-list');
  list.replaceChildren(
    ...[...byTenant].map(([tenant, tenantPhones]) => {
      const section = document.createElement('div');
      section.className = 'tenant-group';
      const heading = document.createElement('h2');
      heading.textContent = tenant;
      const ul = document.createElement('ul');
      for (const phone of tenantPhones) {
        const a = document.createElement('a');
        a.href = `?phone=${encodeURIComponent(phone.id)}`;
        if (phone === current) a.setAttribute('aria-current', 'page');
        const name = document.createElement('span');
        name.textContent = label(phone);
        const role = document.createElement('span');
        role.className = 'muted';
        role.textContent = phone.displayName;
        a.append(name, role);
        const li = document.createElement('li');
        li.append(a);
        ul.append(li);
      }
      section.append(heading, ul);
      return section;
    }),
  );
}

function groupByTenant(phones) {
  const map = new Map();
  for (const p of phones) map.set(p.tenant, [...(map.get(p.tenant) ?? []), p]);
  return map;
}

function renderDesk(phone) {
  document.title = `${label(phone)} · Northwind Telecom`;
  document.getElementById('desk-tenant').textContent = phone.tenant;
  document.getElementById('desk-extension').textContent = `ext. ${phone.extension} · ${phone.displayName}`;
  document.getElementById('desk-sip').textContent = phone.sipUri;
  const softphone = document.createElement('highrise-softphone');
  softphone.setAttribute('token', phone.token);
  softphone.setAttribute('server', sipServer());
  softphone.setAttribute('ice-servers', JSON.stringify(phone.iceServers ?? []));
  document.getElementById('phone-slot').replaceChildren(softphone);
}

async function main() {
  const response = await fetch('/demo-config.json', { cache: 'no-store' });
  const { phones } = await response.json();
  if (!phones.length) {
    document.getElementById('phone-list').textContent = 'The demo has no phones yet; restart `npm start`.';
    return;
  }
  const current = phones.find((p) => p.id === params.get('phone')) ?? phones[0];
  renderPicker(phones, current);
  renderDesk(current);
}

main().catch((error) => {
  document.getElementById('phone-list').textContent = `Could not load the demo phones: ${error.message}`;
});
