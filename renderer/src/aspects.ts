import type { ComponentType } from 'react';

import type { ContainerSummary, DataSource } from '../../shared/domain/container.js';
import { ImageAspect } from './components/ImageAspect.js';
import { OverviewAspect } from './components/OverviewAspect.js';
import { PostureAspect } from './components/PostureAspect.js';
import { SyscallsAspect } from './components/SyscallsAspect.js';

/** What every aspect cell receives: one container and where its data came from. */
export interface AspectProps {
  readonly container: ContainerSummary;
  readonly source: DataSource;
  readonly engineName: string;
}

/** One row of the comparison grid: the same aspect of every container, side by side. */
export interface Aspect {
  readonly id: string;
  readonly title: string;
  /** One line under the title saying what the row shows. */
  readonly description: string;
  readonly Cell: ComponentType<AspectProps>;
}

/**
 * The rows of the grid, top to bottom.
 *
 * A feature adds its row here (isolation posture, image findings, syscalls); the grid, keyboard navigation
 * and row headers follow from this list. Only features that exist have a row.
 */
export const ASPECTS: readonly Aspect[] = [
  { id: 'overview', title: 'Overview', description: 'Image, state, uptime', Cell: OverviewAspect },
  {
    id: 'posture',
    title: 'Posture',
    description: 'Isolation score, worst failing checks',
    Cell: PostureAspect,
  },
  {
    id: 'syscalls',
    title: 'Runtime',
    description: 'Top syscalls, events per second, drops',
    Cell: SyscallsAspect,
  },
  {
    id: 'image',
    title: 'Image',
    description: 'Age, known vulnerabilities, advisory DB, lint',
    Cell: ImageAspect,
  },
];
