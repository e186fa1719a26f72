import { companyIdFromLocation } from './context';

export function App() {
  const companyId = companyIdFromLocation(window.location.search);
  return (
    <main class="app">
      <header class="app-header">
        <h1 class="app-title">Worker Sync</h1>
        <p class="app-subtitle">Procore users → workforce workers</p>
      </header>
      {companyId ? (
        <section class="core-card app-card" aria-labelledby="company-heading">
          <h2 id="company-heading">Procore company {companyId}</h2>
          <p>This app was opened from the company tools of Procore company {companyId}.</p>
        </section>
      ) : (
        <section class="core-banner core-banner--error app-card" role="alert">
          <p>
            Open this app from Procore's company tools: the address carries the company it belongs to (
            <code>?company_id=</code>), and this one has none.
          </p>
        </section>
      )}
    </main>
  );
}
