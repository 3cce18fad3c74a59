import { expect } from '@playwright/test';
import { test } from './support';

test('an event page shows its dates, venue and lead', async ({ page }) => {
  const response = await page.goto('/events/dialogue-on-the-volga-forum-2020');
  expect(response?.status()).toBe(200);
  const item = page.getByTestId('item');
  await expect(item.getByRole('heading', { level: 1 })).toContainText('Dialogue on the Volga');
  await expect(item).toContainText('31 October – 1 November 2020');
  await expect(item).toContainText('Volgograd and the Volgograd region');
  await expect(item).toContainText('75th anniversary of the end of World War 2');
});

test('the events page lists past events by month', async ({ page }) => {
  await page.goto('/events');
  await expect(page.getByRole('heading', { level: 2, name: 'Upcoming' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Past events' })).toBeVisible();
  const months = await page.locator('section.month h3').allTextContents();
  expect(months.indexOf('December 2020')).toBeGreaterThanOrEqual(0);
  expect(months.indexOf('December 2020')).toBeLessThan(months.indexOf('October 2020'));
  await page.getByRole('link', { name: /Stalingrad in the History of Britain/ }).click();
  await expect(page.getByTestId('item')).toContainText('Maxim Gorky');
});
