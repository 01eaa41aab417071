// The design sweep's checks (test_design_sweep.py), run in each page: a list of problems.
(maxEntries) => {
  const problems = [];
  const where = (el) => {
    const id = el.id ? '#' + el.id : '';
    const name = el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : '';
    const text = (el.innerText || el.value || '').trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${id}${name}${text ? ' « ' + text + ' »' : ''}`;
  };
  const visible = (el) => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0 && el.offsetParent !== null;
  };
  const transparent = (c) => !c || c === 'transparent' || /rgba\(.*,\s*0\)$/.test(c);

  // 1. Form controls a person can see must show their edge (WCAG 1.4.11).
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type) || !visible(el)) continue;
    // DSFR draws radios and checkboxes on their label: check the label instead.
    const target = ['checkbox', 'radio'].includes(type) && el.labels && el.labels[0] ? el.labels[0] : el;
    const s = getComputedStyle(target);
    const before = target === el ? null : getComputedStyle(target, '::before');
    const edges = ['Top', 'Right', 'Bottom', 'Left'].some(
      (side) => parseFloat(s[`border${side}Width`]) > 0 && s[`border${side}Style`] !== 'none' && !transparent(s[`border${side}Color`]));
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    const background = !transparent(s.backgroundColor);
    const painted = (st) => st && ((st.boxShadow && st.boxShadow !== 'none') || !transparent(st.backgroundColor)
      || (st.backgroundImage && st.backgroundImage !== 'none') || parseFloat(st.borderTopWidth) > 0);
    // DSFR paints radios as a background image of their label, checkboxes on label::before,
    // and the file input's button is the browser's ::file-selector-button.
    const drawn = (target !== el && (painted(before) || (s.backgroundImage && s.backgroundImage !== 'none')))
      || (type === 'file' && painted(getComputedStyle(el, '::file-selector-button')));
    if (!(edges || shadow || background || drawn)) problems.push(`invisible form control: ${where(el)}`);
  }

  // 2. A button or link with text must show it, or at least carry a tooltip.
  for (const el of document.querySelectorAll('a.fr-btn, button.fr-btn, a[class*="fr-icon-"], button[class*="fr-icon-"]')) {
    if (!visible(el)) continue;
    const text = (el.textContent || '').trim();
    if (!text) continue;
    const s = getComputedStyle(el);
    const clipped = (s.overflow === 'hidden' || s.overflowX === 'hidden') && el.scrollWidth > el.clientWidth + 4;
    if (clipped && !el.getAttribute('title')) problems.push(`icon-only button, its text « ${text.slice(0, 40)} » is hidden: ${where(el)}`);
  }

  // 3. The header menu: at most seven entries, on one line when it is shown as a bar.
  const items = [...document.querySelectorAll('#fr-navigation > .fr-nav__list > .fr-nav__item')];
  if (items.length > maxEntries) problems.push(`the menu has ${items.length} top-level entries`);
  const shown = items.filter(visible);
  if (shown.length > 1) {
    const tops = new Set(shown.map((li) => Math.round(li.getBoundingClientRect().top)));
    if (tops.size > 1 && window.innerWidth >= 992) problems.push(`the menu wraps onto ${tops.size} lines`);
  }

  // 4. Nothing may scroll sideways.
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  if (overflow > 0) problems.push(`the page scrolls sideways by ${overflow}px`);

  // 5. No ISO date in French text (values, code and machine-readable parts excepted).
  if ((document.documentElement.lang || '').startsWith('fr')) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('code, pre, script, style, textarea, [lang]:not([lang^="fr"]), .essaim-token')) continue;
      const match = node.textContent.match(/\b(19|20)\d\d-\d\d-\d\d\b/);
      if (match && visible(parent)) problems.push(`ISO date « ${match[0]} » in French text: ${where(parent)}`);
    }
  }

  // 6. Ids are unique (WCAG 4.1.1, and labels point at the right field).
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(seen)) if (n > 1) problems.push(`id « ${id} » is used ${n} times`);
  return problems;
}
