/** A failed load: what went wrong, in the server's words, and a way to try again. */
export function ErrorState({
  title = "Something went wrong",
  message,
  onRetry,
}: {
  title?: string;
  message: string;
  onRetry?: () => void;
}) {
  return (
    <div role="alert" className="mx-auto max-w-2xl rounded-lg border border-rose-200 dark:border-rose-800 bg-rose-50 dark:bg-rose-950/50 px-5 py-4 text-sm text-rose-900 dark:text-rose-200">
      <p className="font-semibold">{title}</p>
      <p className="mt-1 whitespace-pre-wrap break-words">{message}</p>
      {onRetry ? (
        <button
          type="button"
          onClick={onRetry}
          className="mt-3 rounded-md border border-rose-300 dark:border-rose-700 bg-white dark:bg-slate-900 px-3 py-1.5 font-medium text-rose-800 dark:text-rose-200 hover:bg-rose-100 dark:hover:bg-rose-900"
        >
          Try again
        </button>
      ) : null}
    </div>
  );
}
