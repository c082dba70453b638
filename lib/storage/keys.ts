import path from 'node:path';

export type AttachmentKind = 'job' | 'message' | 'verification';

/**
 * One path segment of an object key from a stored filename, by the backend's convention
 * (contract §4): basename, characters outside [A-Za-z0-9._-] as "_", no leading dots, at most
 * 120 characters from the end. The harness must land on the same key the backend would.
 */
export function keySegment(filename: string): string {
  const cleaned = path
    .basename(filename)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '');
  return cleaned.slice(-120) || 'file';
}

/** Deterministic, so a re-run after a crash lands on the same object: `attachments/<kind>/<rowId>/<filename>`. */
export function legacyObjectKey(kind: AttachmentKind, rowId: number, filename: string, diskPath: string): string {
  return `attachments/${kind}/${rowId}/${keySegment(filename || path.basename(diskPath))}`;
}

/** The file a diskPath names, or null when it points outside the uploads dir (a poisoned or foreign row). */
export function fileInUploads(uploadsDir: string, diskPath: string): string | null {
  const root = path.resolve(uploadsDir);
  const full = path.resolve(root, diskPath);
  return full.startsWith(root + path.sep) ? full : null;
}
