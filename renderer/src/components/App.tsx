import type { ReactElement } from 'react';

import type { Controller } from '../controller.js';
import { Banners } from './Banners.js';
import { ContainerView } from './ContainerView.js';
import { Header } from './Header.js';

/** The app shell: header, banners, and the containers side by side. */
export function App({ controller }: { readonly controller: Controller }): ReactElement {
  return (
    <div className="app">
      <Header />
      <Banners controller={controller} />
      <main className="main" aria-label="Containers">
        <ContainerView />
      </main>
    </div>
  );
}
