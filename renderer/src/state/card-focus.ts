/**
 * Roving focus across container cards: the index to focus after a key press, or null for keys that do
 * not move focus.
 *
 * Left/Right move one card (stopping at the ends, as a toolbar does), Home/End jump to the first/last card.
 */
export function nextCardIndex(current: number, key: string, count: number): number | null {
  if (count <= 0) return null;
  const clamped = Math.min(Math.max(current, 0), count - 1);
  switch (key) {
    case 'ArrowLeft':
      return Math.max(0, clamped - 1);
    case 'ArrowRight':
      return Math.min(count - 1, clamped + 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
