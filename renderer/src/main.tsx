import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import './styles.css';
import './posture.css';
import './syscalls.css';
import './seccomp.css';
import './images.css';
import './anomaly.css';
import { startAnomalyController } from './anomaly-controller.js';
import { createRendererBridge, hasPreloadBridge } from './bridge.js';
import { App } from './components/App.js';
import { startController } from './controller.js';
import { startImagesController } from './images-controller.js';
import { startLabController } from './lab-controller.js';
import { startPostureController } from './posture-controller.js';
import { startReportController } from './report-controller.js';
import { startStageController } from './stage-controller.js';
import { startSyscallsController } from './syscalls-controller.js';
import { applyTransportState, initialWebSocketView } from './state/transport.js';
import { startClock } from './stores/clock-store.js';
import { useTransportStore } from './stores/transport-store.js';

// Set the transport kind first: the WebSocket reports its first state while it is being created.
if (!hasPreloadBridge()) useTransportStore.setState({ view: initialWebSocketView });
const rendererBridge = createRendererBridge((state) =>
  useTransportStore.setState(({ view }) => ({ view: applyTransportState(view, state) })),
);
startClock();
const controller = startController(rendererBridge.bridge);
startPostureController(rendererBridge.bridge);
const syscalls = startSyscallsController(rendererBridge.bridge);
startImagesController(rendererBridge.bridge);
startAnomalyController(rendererBridge.bridge);
startReportController(rendererBridge.bridge);
const lab = startLabController(rendererBridge.bridge);
const stage = startStageController(controller, syscalls);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App controller={controller} syscalls={syscalls} lab={lab} stage={stage} />
  </StrictMode>,
);
