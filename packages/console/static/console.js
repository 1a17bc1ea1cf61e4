// The console's only script, loaded from its own origin (CSP script-src 'self'). Everything it
// shows comes from data- attributes the server escaped, and it writes text only (textContent,
// Chart.js labels on a canvas), never HTML.
'use strict';

function selectAll() {
  const all = document.getElementById('select-all');
  if (all === null) return;
  all.addEventListener('change', () => {
    for (const box of document.querySelectorAll('input[name="id"][type="checkbox"]')) {
      box.checked = all.checked;
    }
  });
}

const palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2'];

function periodLabel(start, period) {
  const iso = new Date(start).toISOString();
  return period === 'hour' ? iso.slice(5, 13).replace('T', ' ') + 'h' : iso.slice(0, 10);
}

function drawCharts() {
  if (typeof Chart === 'undefined') return;
  for (const canvas of document.querySelectorAll('canvas.chart')) {
    const spec = JSON.parse(canvas.dataset.chart);
    new Chart(canvas, {
      type: 'line',
      data: {
        labels: spec.periods.map((start) => periodLabel(start, spec.period)),
        datasets: spec.series.map((series, index) => ({
          label: series.name,
          data: series.counts,
          borderColor: palette[index % palette.length],
          backgroundColor: palette[index % palette.length],
          tension: 0.2,
        })),
      },
      options: { animation: false, responsive: true },
    });
  }
}

/** A running job's page refreshes its progress from the API until the job ends. */
function followJob() {
  const progress = document.getElementById('job-progress');
  if (progress === null || progress.dataset.state !== 'running') return;
  const url = progress.dataset.url;
  const timer = setInterval(async () => {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    if (!response.ok) return;
    const job = await response.json();
    for (const field of ['state', 'replayed', 'refused', 'failed', 'total']) {
      const cell = document.getElementById(`job-${field}`);
      if (cell !== null) cell.textContent = String(job[field]);
    }
    const bar = document.getElementById('job-bar');
    if (bar !== null) {
      bar.value = job.replayed + job.refused + job.failed;
    }
    if (job.state !== 'running') {
      clearInterval(timer);
      window.location.reload();
    }
  }, 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  selectAll();
  drawCharts();
  followJob();
});
