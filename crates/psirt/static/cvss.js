// The case page's CVSS calculators, live. As metrics are picked, the vector is assembled from
// the form's own fields and scored by the server (GET /api/v1/cvss runs the domain's exact
// code), so no score is ever computed here. Without this script the form works as it is:
// "Score and save" posts it and the page shows the saved vector and score.
'use strict';

(() => {
  const vectorOf = (form) => {
    const parts = ['CVSS:' + form.elements.namedItem('cvss').value];
    for (const select of form.querySelectorAll('select[data-metric]')) {
      parts.push(select.name + ':' + select.value);
    }
    return parts.join('/');
  };

  const show = (out, vector, score, severity) => {
    out.querySelector('.live-vector').textContent = vector;
    out.querySelector('.live-score').textContent = score;
    out.querySelector('.live-severity').textContent = severity;
    out.hidden = false;
  };

  const update = async (form) => {
    const out = form.querySelector('.cvss-live');
    if (!out) return;
    // Only the answer to the latest pick is shown, whatever order the answers arrive in.
    const turn = (Number(form.dataset.turn || 0) + 1).toString();
    form.dataset.turn = turn;
    const vector = vectorOf(form);
    let text;
    try {
      const response = await fetch('/api/v1/cvss?vector=' + encodeURIComponent(vector), {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      const body = await response.json();
      if (form.dataset.turn !== turn) return;
      if (response.ok) {
        show(out, body.vector, body.base_score.toFixed(1), body.base_severity);
        return;
      }
      text = (body.errors && body.errors[0] && body.errors[0].message) || body.detail || 'invalid';
    } catch (e) {
      if (form.dataset.turn !== turn) return;
      text = 'cannot score now (the form still works)';
    }
    show(out, vector, '—', text);
  };

  for (const form of document.querySelectorAll('form.cvss')) {
    form.addEventListener('change', (event) => {
      if (event.target.matches('select[data-metric]')) update(form);
    });
    update(form);
  }
})();
