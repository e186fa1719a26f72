import { useApp } from '../context';
import { directoryPattern, directoryUserUrl } from '../models/directory-link.model';

/** "Open in Procore's Directory": where an admin fixes what made a user's sync skip or fail. */
export function DirectoryLink({ procoreUserId, name }: { procoreUserId: string | null; name: string }) {
  const { api } = useApp();
  const url = directoryUserUrl(directoryPattern(api).value, procoreUserId);
  if (!url) return null;
  return (
    <a class="directory-link" href={url} target="_blank" rel="noopener noreferrer">
      Open <span class="visually-hidden">{name || 'this user'} </span>in Procore's Directory
      <span class="visually-hidden"> (opens in a new tab)</span>
      <span aria-hidden="true"> ↗</span>
    </a>
  );
}
