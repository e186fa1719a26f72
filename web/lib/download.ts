import type { DownloadedFile } from './request';

/**
 * Saves a fetched file. The log needs the session's Bearer token, which a plain link cannot send,
 * so the text is fetched and handed to the browser through a short-lived Blob URL.
 */
export function saveFile(file: DownloadedFile, fallbackName: string): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename ?? fallbackName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the browser has started the download, not before.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
