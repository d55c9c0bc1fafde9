/** Pieces the Pages and Audience screens share. */
import type { ComponentChildren } from 'preact';
import type { ApiFailure } from '../api';
import { ErrorNotice } from '../ui/components';
import './pages.css';

const covers = (shown: string[], field: string) =>
  shown.some((name) => field === name || field.startsWith(`${name}.`));

/**
 * The ErrorNotice of a refusal, left out when every reason it gives is already
 * shown beside its field (the notice would only repeat them).
 */
export function Refusal(props: { error?: ApiFailure; shownFields: string[]; title: string }) {
  const { error } = props;
  if (!error) return null;
  if (error.details.length > 0 && error.details.every((d) => covers(props.shownFields, d.field)))
    return null;
  return <ErrorNotice error={error} title={props.title} shownFields={props.shownFields} />;
}

/**
 * A table that scrolls sideways on a narrow screen: the scrolling box takes the
 * keyboard focus (and is named), so it can be scrolled without a mouse.
 */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll pg-table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}
