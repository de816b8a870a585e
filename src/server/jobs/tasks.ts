import type { CronItem, TaskList } from "graphile-worker";
import { runNodeTask } from "../engine/run-node";

/** Every task the worker runs, listed explicitly (no directory scan inside Next.js). */
const tasks = [runNodeTask];

export const taskList: TaskList = Object.fromEntries(tasks.map((t) => [t.name, t.task]));

export const cronItems: CronItem[] = [];
